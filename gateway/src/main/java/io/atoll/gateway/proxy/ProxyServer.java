package io.atoll.gateway.proxy;

import io.atoll.gateway.balancing.LeastOutstandingBalancer;
import io.atoll.gateway.config.AtollGatewayProperties;
import io.atoll.gateway.http2.Http2Properties;
import io.atoll.gateway.http2.Http2Server;
import io.atoll.gateway.routing.RoutingTableWatcher;
import io.atoll.gateway.tls.CertificateStore;
import io.atoll.gateway.tls.HstsHandler;
import io.atoll.gateway.tls.HttpsRedirect;
import io.atoll.gateway.tls.TlsProperties;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The traffic port. A plain Netty HTTP/1.1 server whose connections relay to instances over
 * pooled keep-alive connections on the same event loop: per request, a routing-table probe, a
 * balancer choice and header rewriting, and nothing else. Spring Boot runs around it (properties,
 * health, metrics, the management port); the request path does not go through WebFlux, because
 * its per-request machinery cost more than the proxying itself (docs/benchmarks.md).
 *
 * <p>HTTPS, when {@link CertificateStore certificates} are served, is a second port with the same
 * pipeline behind Netty's {@link SniHandler}, which picks each connection's certificate by the
 * client's SNI name; the plain port's pipeline is the same with or without it.
 *
 * <p>HTTP/2 ({@link Http2Server}): a TLS client that picks {@code h2} by ALPN, or a plain-port
 * client that opens with the HTTP/2 preface, has its connection's HTTP/1.1 handlers replaced by
 * Netty's HTTP/2 codec; each stream then gets a child channel with the same
 * {@link ClientConnection} as an HTTP/1.1 connection, so routing, forwarding headers, limits,
 * metrics and the relay to instances (always HTTP/1.1) are the same code.
 *
 * <p>Stopping: the ports close at once, connections finish the request in flight and close, and
 * whatever is still open after {@code atoll.gateway.shutdown-grace} is cut.
 */
public class ProxyServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    /**
     * After the management server starts (Boot starts it at {@code DEFAULT_PHASE - 2048}) and so
     * also stopped before it: traffic ends while health and metrics still answer.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    /** A ClientHello larger than this is refused before any certificate is looked up. */
    private static final int MAX_CLIENT_HELLO = 16 * 1024;

    private final RoutingTableWatcher tables;
    private final LeastOutstandingBalancer balancer;
    private final RequestMetrics metrics;
    private final AtollGatewayProperties properties;
    /** Null while HTTPS is off. */
    private final CertificateStore certificates;
    private final TlsProperties tls;
    private final Http2Server http2;
    private final ChannelGroup connections = new DefaultChannelGroup("atoll-gateway-clients",
            GlobalEventExecutor.INSTANCE);
    private EventLoopGroup loops;
    private Channel serverChannel;
    private Channel tlsChannel;
    private volatile int port = -1;
    private volatile int tlsPort = -1;
    private volatile String transport;

    public ProxyServer(RoutingTableWatcher tables, LeastOutstandingBalancer balancer, RequestMetrics metrics,
            AtollGatewayProperties properties) {
        this(tables, balancer, metrics, properties, null, null, Http2Properties.defaults());
    }

    /** @param certificates what the TLS port serves; null for no TLS port */
    public ProxyServer(RoutingTableWatcher tables, LeastOutstandingBalancer balancer, RequestMetrics metrics,
            AtollGatewayProperties properties, CertificateStore certificates, TlsProperties tls,
            Http2Properties http2) {
        this.tables = tables;
        this.balancer = balancer;
        this.metrics = metrics;
        this.properties = properties;
        this.certificates = certificates;
        this.tls = tls;
        this.http2 = new Http2Server(http2, properties.maxHeaderSize(), properties.shutdownGrace());
    }

    /** The HTTPS port, once started; -1 while HTTPS is off. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The event loops' I/O once started ({@code io-uring}, {@code epoll} or {@code nio}): atoll.gateway.transport. */
    public String transport() {
        return transport;
    }

    /** The port traffic is served on, once started (useful when configured as 0). */
    public int port() {
        return port;
    }

    @Override
    public void start() {
        Transport transport = Transport.choose(properties.transport());
        this.transport = transport.label();
        int threads = properties.eventLoops() > 0 ? properties.eventLoops() : Runtime.getRuntime().availableProcessors();
        loops = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("atoll-gateway", true),
                transport.ioHandlers());
        Class<? extends ServerChannel> serverType = transport.serverChannel();

        BackendConnections backendConnections = new BackendConnections(transport.socketChannels(),
                properties.maxHeaderSize(), properties.poolIdleTimeout());
        ProxyContext context = new ProxyContext(tables, balancer, backendConnections, metrics, properties,
                new ForwardedHeaders(properties.trustedProxies()),
                new AddressConnectionLimit(properties.maxConnectionsPerAddress()),
                certificates == null ? null : new HttpsRedirect(certificates,
                        () -> tls.publicPort() != null ? tls.publicPort() : tlsPort));
        long headerTimeout = properties.headerTimeout().toNanos();

        long clientIdle = properties.clientIdleTimeout().toMillis();
        ServerBootstrap server = new ServerBootstrap()
                .group(loops)
                .channel(serverType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        HeaderDeadline deadline = new HeaderDeadline(headerTimeout);
                        channel.pipeline()
                                .addLast(new IdleStateHandler(clientIdle, 0, 0, TimeUnit.MILLISECONDS))
                                .addLast(deadline);
                        if (http2.enabled()) {
                            channel.pipeline().addLast(Http2Server.priorKnowledge(
                                    ctx -> toHttp2(ctx.pipeline(), context, deadline, false)));
                        }
                        channel.pipeline()
                                .addLast(new HttpServerCodec(properties.maxInitialLineLength(),
                                        properties.maxHeaderSize(), 65536))
                                .addLast(new HttpServerExpectContinueHandler())
                                .addLast(new ClientConnection(context, deadline));
                    }
                });
        if (certificates != null) {
            ProxyContext secure = context.secure();
            ServerBootstrap tlsServer = server.clone().childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    connections.add(channel);
                    HeaderDeadline deadline = new HeaderDeadline(headerTimeout);
                    // The handshake counts against the header deadline, as a slow client's first bytes would.
                    // The HTTP/1.1 handlers are there from the start (ClientConnection must see the
                    // connection become active); a client that picks h2 by ALPN has them replaced.
                    channel.pipeline()
                            .addLast(new SniHandler(certificates, MAX_CLIENT_HELLO, properties.headerTimeout().toMillis()))
                            .addLast(new IdleStateHandler(clientIdle, 0, 0, TimeUnit.MILLISECONDS))
                            .addLast(deadline);
                    if (http2.enabled()) {
                        channel.pipeline().addLast(Http2Server.alpn(ctx -> toHttp2(ctx.pipeline(), secure, deadline, true)));
                    }
                    channel.pipeline()
                            .addLast(new HttpServerCodec(properties.maxInitialLineLength(),
                                    properties.maxHeaderSize(), 65536))
                            .addLast(new HstsHandler(certificates))
                            .addLast(new HttpServerExpectContinueHandler())
                            .addLast(new ClientConnection(secure, deadline));
                }
            });
            InetSocketAddress tlsAddress = new InetSocketAddress(properties.address(), tls.port());
            try {
                tlsChannel = tlsServer.bind(tlsAddress).syncUninterruptibly().channel();
            } catch (RuntimeException e) {
                loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                throw new IllegalStateException("The gateway cannot listen on " + tlsAddress
                        + " (atoll.gateway.tls.port): " + e.getMessage(), e);
            }
            tlsPort = ((InetSocketAddress) tlsChannel.localAddress()).getPort();
        }
        InetSocketAddress address = new InetSocketAddress(properties.address(), properties.port());
        try {
            serverChannel = server.bind(address).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            if (tlsChannel != null) {
                tlsChannel.close().syncUninterruptibly();
                tlsChannel = null;
            }
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("The gateway cannot listen on " + address + ": " + e.getMessage(), e);
        }
        port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        log.info("Gateway traffic on port {} ({} event loops, {})", port, threads, transport.label());
        if (tlsChannel != null) {
            log.info("Gateway HTTPS on port {} ({} certificates, {} provider)", tlsPort, certificates.size(),
                    certificates.provider());
        }
    }

    /**
     * Turns a connection that turned out to be HTTP/2 from HTTP/1.1: its HTTP/1.1 handlers leave
     * (the {@link ClientConnection} gives its place in the address's count back, which
     * {@link Http2ClientConnection} takes again), the HTTP/2 codec comes in, and each stream gets
     * a channel with the HTTP/1.1 proxy's handlers behind Netty's frame-to-HTTP/1.1 codec.
     */
    private void toHttp2(ChannelPipeline pipeline, ProxyContext context, HeaderDeadline deadline, boolean secure) {
        pipeline.remove(HttpServerCodec.class);
        pipeline.remove(HttpServerExpectContinueHandler.class);
        pipeline.remove(ClientConnection.class);
        if (secure) {
            pipeline.remove(HstsHandler.class);
        }
        long headerTimeout = properties.headerTimeout().toNanos();
        Http2FrameCodec codec = http2.frameCodec();
        pipeline.addLast(codec)
                .addLast(new Http2ClientConnection(context, deadline, codec))
                .addLast(Http2Server.multiplex(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast(Http2Server.streamCodecs());
                        if (secure) {
                            stream.pipeline().addLast(new HstsHandler(certificates));
                        }
                        // A stream's headers arrive whole, in one frame: the connection's deadline
                        // covers the client's first one, this one is never armed.
                        stream.pipeline()
                                .addLast(new HttpServerExpectContinueHandler())
                                .addLast(new ClientConnection(context, new HeaderDeadline(headerTimeout)));
                    }
                }));
        http2.raiseConnectionWindow(codec);
    }

    @Override
    public void stop() {
        if (serverChannel == null) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        serverChannel = null;
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
            tlsChannel = null;
        }
        connections.forEach(channel -> channel.eventLoop().execute(
                () -> channel.pipeline().fireUserEventTriggered(ClientConnection.SHUTDOWN)));
        long deadline = System.nanoTime() + properties.shutdownGrace().toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!connections.isEmpty()) {
            log.warn("Cutting {} client connections still busy after {}", connections.size(),
                    properties.shutdownGrace());
            connections.close().awaitUninterruptibly(Duration.ofSeconds(2).toMillis());
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        port = -1;
        tlsPort = -1;
    }

    @Override
    public boolean isRunning() {
        return serverChannel != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
