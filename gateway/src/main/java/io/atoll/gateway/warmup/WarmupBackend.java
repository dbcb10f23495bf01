package io.atoll.gateway.warmup;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The warm-up's instance, on loopback: a constant answer as a small web app gives it, with
 * keep-alive, or closing the connection after the answer ({@code /close}), or chunked
 * ({@code /chunked}); a POST's body is read whole and its length echoed.
 */
final class WarmupBackend implements AutoCloseable {

    static final String CLOSE_PATH = "/close";
    static final String CHUNKED_PATH = "/chunked";

    private static final byte[] BODY = "hello from the warm-up backend\n".getBytes(StandardCharsets.US_ASCII);

    private final ChannelGroup channels = new DefaultChannelGroup("atoll-warmup-backend", GlobalEventExecutor.INSTANCE);
    private final Channel server;

    WarmupBackend(EventLoopGroup loops, Class<? extends ServerChannel> serverType) {
        server = new ServerBootstrap()
                .group(loops)
                .channel(serverType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channels.add(channel);
                        channel.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(new Answer());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly()
                .channel();
        channels.add(server);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** The listening socket and every connection, closed before this returns. */
    @Override
    public void close() {
        channels.close().awaitUninterruptibly();
    }

    private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri();
            ByteBuf body = request.content().readableBytes() > 0
                    ? Unpooled.copiedBuffer(request.content().readableBytes() + "\n", StandardCharsets.US_ASCII)
                    : Unpooled.wrappedBuffer(BODY);
            if (path.startsWith(CHUNKED_PATH)) {
                DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                        .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                ctx.write(head);
                ctx.write(new DefaultHttpContent(body.retainedSlice(0, body.readableBytes() / 2)));
                ctx.write(new DefaultHttpContent(body.slice(body.readableBytes() / 2, body.readableBytes() - body.readableBytes() / 2)));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (path.startsWith(CLOSE_PATH)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
