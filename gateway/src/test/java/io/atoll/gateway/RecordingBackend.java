package io.atoll.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An instance that records what reached it: every byte on every connection, and every request
 * its strict HTTP/1.1 parser (Netty's, with an aggregator) saw as complete. A request only counts
 * once its whole body has arrived, which is what an app would act on. Answers each request with
 * {@code ok <method> <uri>}; {@code /426} answers 426 (a refused upgrade), {@code /connection-header}
 * answers with {@code Connection: Content-Length} (an app trying to desync the gateway's client).
 */
final class RecordingBackend implements AutoCloseable {

    /** One complete request as the instance parsed it. */
    record Received(int connection, String method, String uri, List<Map.Entry<String, String>> headers,
            String body, List<Map.Entry<String, String>> trailers) {

        String header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }

        List<String> headers(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<Integer, ByteArrayOutputStream> bytes = new ConcurrentHashMap<>();

    RecordingBackend() {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        int id = connections.incrementAndGet();
                        ByteArrayOutputStream raw = new ByteArrayOutputStream();
                        bytes.put(id, raw);
                        channel.pipeline()
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ByteBuf buf = (ByteBuf) msg;
                                        byte[] copy = new byte[buf.readableBytes()];
                                        buf.getBytes(buf.readerIndex(), copy);
                                        synchronized (raw) {
                                            raw.write(copy, 0, copy.length);
                                        }
                                        ctx.fireChannelRead(msg);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                })
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(16 * 1024 * 1024))
                                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        if (request.decoderResult().isFailure()) {
                                            ctx.close();
                                            return;
                                        }
                                        received.add(new Received(id, request.method().name(), request.uri(),
                                                entries(request.headers()),
                                                request.content().toString(StandardCharsets.ISO_8859_1),
                                                entries(request.trailingHeaders())));
                                        ctx.writeAndFlush(answer(request));
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    private static List<Map.Entry<String, String>> entries(io.netty.handler.codec.http.HttpHeaders headers) {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        headers.forEach(entry -> list.add(Map.entry(entry.getKey(), entry.getValue())));
        return list;
    }

    private static FullHttpResponse answer(FullHttpRequest request) {
        HttpResponseStatus status = request.uri().startsWith("/426") ? HttpResponseStatus.UPGRADE_REQUIRED
                : HttpResponseStatus.OK;
        byte[] body = ("ok " + request.method().name() + " " + request.uri()).getBytes(StandardCharsets.ISO_8859_1);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        if (request.uri().startsWith("/connection-header")) {
            response.headers().add(HttpHeaderNames.CONNECTION, "Content-Length");
        }
        return response;
    }

    String address() {
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    List<Received> requests() {
        return List.copyOf(received);
    }

    /** Complete requests whose target starts with the prefix. */
    List<Received> requestsTo(String prefix) {
        return received.stream().filter(r -> r.uri().startsWith(prefix)).toList();
    }

    /** Everything every connection carried, one after the other. */
    String rawBytes() {
        StringBuilder all = new StringBuilder();
        bytes.forEach((id, raw) -> {
            synchronized (raw) {
                all.append(raw.toString(StandardCharsets.ISO_8859_1));
            }
        });
        return all.toString();
    }

    void clear() {
        received.clear();
        bytes.values().forEach(raw -> {
            synchronized (raw) {
                raw.reset();
            }
        });
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
