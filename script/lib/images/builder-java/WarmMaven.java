package io.atoll.builder;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.maven.cli.MavenCli;
import org.codehaus.plexus.classworlds.ClassWorld;

/**
 * A warm Maven: one JVM per app that runs that app's builds one after another, so that from the
 * second build on Maven's classes are loaded and compiled, and javac is too (docs/build-service.md,
 * Warm builders). build-service starts it in the app's warm builder container, with the same
 * isolation as any builder container, and talks to it over a Unix socket in the directory it shares
 * with that container only.
 *
 * <p>The protocol, one build per connection, UTF-8 lines. Request: {@code dir <absolute path>},
 * then {@code arg <argument>} for each of Maven's arguments, then {@code end}. Answer: {@code o <line>}
 * for each line Maven writes (stdout and stderr), then {@code exit <code>}. A connection that ends
 * without {@code exit} is a build that did not end (the container was killed, or ran out of memory).
 */
public final class WarmMaven {

    private static final int MAX_LINE = 8192;

    private WarmMaven() {
    }

    public static void main(String[] args) throws IOException {
        Path socket = Path.of(args[0]);
        Files.deleteIfExists(socket);
        ClassWorld world = new ClassWorld("plexus.core", WarmMaven.class.getClassLoader());
        Properties pristine = (Properties) System.getProperties().clone();
        // bound under another name, then renamed: the socket appears only once it listens
        Path binding = socket.resolveSibling(socket.getFileName() + ".binding");
        Files.deleteIfExists(binding);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(binding));
            Files.move(binding, socket, StandardCopyOption.ATOMIC_MOVE);
            // one build at a time: build-service sends an app's builds in order, and Maven's
            // embedder keeps per-JVM state (system properties, the working project directory)
            while (true) {
                try (SocketChannel client = server.accept()) {
                    serve(world, client, pristine);
                } catch (IOException | RuntimeException e) {
                    e.printStackTrace();
                }
            }
        }
    }

    private static void serve(ClassWorld world, SocketChannel client, Properties pristine) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                StandardCharsets.UTF_8));
        String dir = null;
        List<String> arguments = new ArrayList<>();
        for (String line = in.readLine(); line != null && !line.equals("end"); line = in.readLine()) {
            if (line.startsWith("dir ")) {
                dir = line.substring(4);
            } else if (line.startsWith("arg ")) {
                arguments.add(line.substring(4));
            }
        }
        Framed out = new Framed(Channels.newOutputStream(client));
        if (dir == null) {
            out.finish(2, "warm Maven: no dir in the request");
            return;
        }
        int code;
        PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
        try {
            System.setProperty("maven.multiModuleProjectDirectory", dir);
            code = new MavenCli(world).doMain(arguments.toArray(String[]::new), dir, stream, stream);
        } catch (RuntimeException | LinkageError e) {
            e.printStackTrace(stream);
            code = 1;
        } finally {
            // a build's -D properties (from .mvn/maven.config too) are system properties: the next
            // build of the app must not inherit them
            System.getProperties().keySet().retainAll(pristine.keySet());
            System.getProperties().putAll(pristine);
        }
        stream.flush();
        out.finish(code, null);
    }

    /** Maven's output as {@code o <line>} lines, whatever mix of writes and threads it comes from. */
    private static final class Framed extends OutputStream {

        private final OutputStream socket;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Framed(OutputStream socket) {
            this.socket = socket;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            if (b == '\n') {
                emit();
            } else if (line.size() < MAX_LINE) {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            for (int i = offset; i < offset + length; i++) {
                write(bytes[i]);
            }
        }

        private void emit() throws IOException {
            socket.write("o ".getBytes(StandardCharsets.UTF_8));
            line.writeTo(socket);
            socket.write('\n');
            line.reset();
            socket.flush();
        }

        synchronized void finish(int code, String message) throws IOException {
            if (line.size() > 0) {
                emit();
            }
            if (message != null) {
                line.write(message.getBytes(StandardCharsets.UTF_8));
                emit();
            }
            socket.write(("exit " + code + "\n").getBytes(StandardCharsets.UTF_8));
            socket.flush();
        }
    }
}
