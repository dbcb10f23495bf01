package io.atoll.gateway.warmup;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Synthetic clients of the warm-up: {@code connections} keep-alive connections to the gateway's
 * traffic port, each sending its next request when the previous answer is complete, in a mix of
 * what the gateway meets most (GETs to a keep-alive instance and to one that closes after every
 * answer) and what it must not be slow at the first time (POST bodies, chunked both ways).
 */
final class WarmupLoad implements AutoCloseable {

    /** Request kinds in the order each connection cycles through them. */
    private static final int[] MIX = {0, 1, 0, 1, 0, 2, 0, 1, 3, 0, 1, 4};

    /** Where in {@link #MIX} a connection is. */
    private static final AttributeKey<Integer> NEXT = AttributeKey.valueOf("atoll-warmup-next");

    private static final byte[] POST_BODY = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);

    private final ChannelGroup channels = new DefaultChannelGroup("atoll-warmup-clients", GlobalEventExecutor.INSTANCE);
    private final Bootstrap bootstrap;
    private final InetSocketAddress gateway;
    private final String host;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean stopping;

    WarmupLoad(EventLoopGroup loops, Class<? extends SocketChannel> channelType, InetSocketAddress gateway, String host) {
        this.gateway = gateway;
        this.host = host;
        this.bootstrap = new Bootstrap()
                .group(loops)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channels.add(channel);
                        channel.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(new Client());
                    }
                });
    }

    void start(int connections) {
        for (int i = 0; i < connections; i++) {
            connect(i);
        }
    }

    long succeeded() {
        return ok.get();
    }

    long failed() {
        return failed.get();
    }

    private void connect(int offset) {
        if (stopping) {
            return;
        }
        bootstrap.connect(gateway).addListener(future -> {
            if (future.isSuccess()) {
                Channel channel = ((ChannelFuture) future).channel();
                channel.attr(NEXT).set(offset);
                send(channel);
            } else {
                failed.incrementAndGet();
                // The port is on this machine: a refusal means the gateway is stopping.
                stopping = true;
            }
        });
    }

    private void send(Channel channel) {
        if (stopping) {
            channel.close();
            return;
        }
        int step = channel.attr(NEXT).get();
        channel.attr(NEXT).set(step + 1);
        switch (MIX[Math.floorMod(step, MIX.length)]) {
            case 0 -> channel.writeAndFlush(get("/"));
            case 1 -> channel.writeAndFlush(get(WarmupBackend.CLOSE_PATH));
            case 2 -> channel.writeAndFlush(get(WarmupBackend.CHUNKED_PATH));
            case 3 -> {
                DefaultFullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload",
                        Unpooled.wrappedBuffer(POST_BODY));
                post.headers().set(HttpHeaderNames.HOST, host)
                        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, POST_BODY.length);
                channel.writeAndFlush(post);
            }
            default -> {
                DefaultHttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload?chunked=1");
                post.headers().set(HttpHeaderNames.HOST, host)
                        .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                channel.write(post);
                channel.write(new DefaultHttpContent(Unpooled.wrappedBuffer(POST_BODY, 0, 512)));
                channel.write(new DefaultHttpContent(Unpooled.wrappedBuffer(POST_BODY, 512, 512)));
                channel.writeAndFlush(new DefaultLastHttpContent());
            }
        }
    }

    private DefaultFullHttpRequest get(String path) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
                Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, host).set(HttpHeaderNames.ACCEPT, "*/*");
        return request;
    }

    /** Every connection closed before this returns. */
    @Override
    public void close() {
        stopping = true;
        channels.close().awaitUninterruptibly();
    }

    private final class Client extends SimpleChannelInboundHandler<FullHttpResponse> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            if (response.status().code() == 200) {
                ok.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
            if (HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(response.headers().get(HttpHeaderNames.CONNECTION, ""))) {
                ctx.close();
                return;
            }
            send(ctx.channel());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Integer next = ctx.channel().attr(NEXT).get();
            // The gateway may close a connection (a problem answer, its idle timer): keep the count of connections.
            connect(next == null ? 0 : next);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed.incrementAndGet();
            ctx.close();
        }
    }
}
