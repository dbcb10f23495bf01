package io.atoll.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * In front of an instance connection's decoder: bytes that arrive while the connection waits in
 * the pool answer no request, so the connection is out of step with the instance and is closed
 * before they can be read as the next request's answer. (A partial line would otherwise wait in
 * the decoder and spoil the answer of whoever used the connection next.)
 */
final class PooledConnectionGuard extends ChannelInboundHandlerAdapter {

    private final BackendHandler handler;

    PooledConnectionGuard(BackendHandler handler) {
        this.handler = handler;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (handler.idleInPool() && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
