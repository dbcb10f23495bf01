package io.atoll.gateway.proxy;

import io.atoll.gateway.routing.AppBackends;
import io.atoll.gateway.routing.AppRule;
import io.atoll.gateway.routing.Backend;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's trip to an instance and its answer's way back: connect (or reuse a pooled
 * connection), relay the body both ways as it comes, and turn every failure into what the
 * client should see. Runs entirely on the client connection's event loop, as do the backend
 * connections it uses, so nothing here needs a lock.
 *
 * <p>Failures: a connection that cannot be made ejects the instance and, for a request that is
 * safe to repeat and has no body, is tried on another instance; a pooled connection the instance
 * closed just before our request arrived is retried once on a fresh one (the usual keep-alive
 * race); no response headers within the rule's timeout is a 504. Once the answer has started,
 * a failure can only cut the client's connection.
 */
final class Exchange extends InFlight implements ChannelFutureListener {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private final ClientConnection client;
    private final ChannelHandlerContext clientCtx;
    private final ProxyContext proxy;
    private final HttpRequest request;
    private final AppRule rule;
    private final AppBackends backends;
    private final String requestId;
    private final long started;
    private final boolean repeatable;
    private final boolean upgrade;
    private final boolean headRequest;

    private final Set<String> tried = new HashSet<>(4);
    private Backend backend;
    private boolean holdingBackend;
    private Channel backendChannel;
    private BackendHandler backendHandler;
    /** The connect in progress, if any; its outcome is ignored once this no longer names it. */
    private ChannelFuture connecting;
    private boolean reused;
    private boolean starting;
    private boolean retriedStale;
    private List<HttpContent> pending;
    private boolean requestComplete;
    private boolean responseStarted;
    /** The answer began before the whole body was sent: the instance may not have read all of it. */
    private boolean answeredEarly;
    private boolean backendKeepAlive;
    private boolean informational;
    private boolean closeClientAfter;
    private boolean finished;
    private int status;
    private Throwable backendError;

    /** While the codecs are being taken out after a 101: what the instance sent meanwhile. */
    private List<Object> tunnelBacklog;
    private boolean tunnel;
    private final boolean bodyless;

    /**
     * @param request already rewritten for the instance (path, forwarded headers)
     * @param repeatable idempotent and without a body, so it can be sent again elsewhere
     */
    Exchange(ClientConnection client, ChannelHandlerContext clientCtx, ProxyContext proxy, HttpRequest request,
            AppRule rule, AppBackends backends, String requestId, long started, boolean repeatable, boolean upgrade,
            boolean headRequest) {
        this.client = client;
        this.clientCtx = clientCtx;
        this.proxy = proxy;
        this.request = request;
        this.rule = rule;
        this.backends = backends;
        this.requestId = requestId;
        this.started = started;
        this.repeatable = repeatable;
        this.upgrade = upgrade;
        this.headRequest = headRequest;
        // Framed by Hop.frame already, so these headers say whether a body follows the head.
        this.bodyless = !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
    }

    /**
     * @param inClientRead called while the client's read is in progress: a pooled connection's
     *     request is then flushed with the body that read brings, on {@link #clientReadComplete}
     */
    void start(Backend first, boolean inClientRead) {
        backend = first;
        holdingBackend = true;
        tried.add(first.key());
        starting = inClientRead;
        connect();
        starting = false;
    }

    boolean requestComplete() {
        return requestComplete;
    }

    String app() {
        return rule.app();
    }

    String requestId() {
        return requestId;
    }

    long started() {
        return started;
    }

    /**
     * The client's request cannot go on (its body is malformed or too large): the instance's
     * connection is closed with the request unfinished, never ended, so the instance cannot
     * take what it got for a whole request.
     *
     * @return true when no answer has started, so the caller can still answer the client
     */
    boolean abandon(int failure) {
        finished = true;
        dropBackendChannel();
        releaseBackend();
        releasePending();
        if (responseStarted) {
            proxy.metrics().record(rule.app(), status, started);
            return false;
        }
        status = failure;
        return true;
    }

    /** Whether the client's connection may be read: its body has somewhere to go. */
    boolean acceptsClientData() {
        if (upgrade && !finished) {
            return false;
        }
        // A request without a body has nothing to hold back while the instance's connection
        // opens: pausing the read until its empty end arrives, in the same read, would cost two
        // epoll_ctl calls per request to an instance that closes every connection.
        return requestComplete || bodyless || finished || (backendChannel != null && backendChannel.isWritable());
    }

    // ------------------------------------------------------------------ client side

    void clientContent(HttpContent content) {
        if (content instanceof LastHttpContent) {
            requestComplete = true;
        }
        if (finished) {
            content.release();
            return;
        }
        if (backendChannel == null) {
            if (pending == null) {
                pending = new ArrayList<>(2);
            }
            pending.add(content);
            return;
        }
        backendChannel.write(content, backendChannel.voidPromise());
    }

    void clientReadComplete() {
        if (backendChannel != null && !finished) {
            backendChannel.flush();
        }
    }

    void clientWritabilityChanged(boolean writable) {
        if (backendChannel != null && !finished) {
            backendChannel.config().setAutoRead(writable);
        }
    }

    void clientClosed() {
        if (finished) {
            return;
        }
        finished = true;
        dropBackendChannel();
        releaseBackend();
        releasePending();
        proxy.metrics().record(rule.app(), tunnel ? status : RequestMetrics.CLIENT_CLOSED, started);
    }

    // ------------------------------------------------------------------ connecting

    private void connect() {
        Channel pooled = retriedStale ? null : proxy.connections().poll(backend.authority());
        if (pooled != null) {
            attach(pooled, true, !starting);
            return;
        }
        ChannelFuture future;
        try {
            future = proxy.connections().connect(clientCtx.channel().eventLoop(), backend.authority());
        } catch (RuntimeException e) {
            // No socket (file descriptors exhausted, an address family this host lacks): as a
            // refused connect, another instance or a 502, never an exchange left hanging.
            connectFailed(e);
            return;
        }
        connecting = future;
        if (!future.isDone()) {
            // One timer for the connect and then the answer, armed here rather than by Netty.
            future.channel().pipeline().get(BackendHandler.class)
                    .expectConnectionWithin(this, rule.connectTimeout().toNanos());
        }
        future.addListener(this);
    }

    /** The connect finished (or failed); what to do with it unless it was given up meanwhile. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (finished || future != connecting) {
            future.channel().close();
            return;
        }
        connecting = null;
        if (future.isSuccess()) {
            attach(future.channel(), false, true);
        } else {
            future.channel().close();
            connectFailed(future.cause());
        }
    }

    /** The connect took longer than the rule's connect timeout; the channel is closed right after. */
    void connectTimedOut(Channel channel) {
        if (finished || connecting == null || connecting.channel() != channel) {
            return;
        }
        connecting = null;
        connectFailed(new ConnectTimeoutException("connection timed out after " + rule.connectTimeout().toMillis()
                + " ms: " + backend.authority()));
    }

    private void attach(Channel channel, boolean fromPool, boolean flush) {
        backendChannel = channel;
        reused = fromPool;
        backendHandler = channel.pipeline().get(BackendHandler.class);
        backendHandler.attach(this, backend.authority());
        BackendCodec codec = channel.pipeline().get(BackendCodec.class);
        if (codec != null) {
            codec.expectAnswerTo(headRequest);
        }
        channel.write(request, channel.voidPromise());
        if (pending != null) {
            for (HttpContent content : pending) {
                channel.write(content, channel.voidPromise());
            }
            pending = null;
        } else if (requestComplete) {
            // A retry: the (empty) body went to the connection that failed.
            channel.write(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
        }
        if (flush) {
            channel.flush();
        }
        backendHandler.expectResponseWithin(rule.responseTimeout().toNanos());
        client.updateReading();
    }

    private void connectFailed(Throwable cause) {
        proxy.balancer().connectFailed(backend);
        log.warn("{} {} to instance {} of app {} at {}: {}", request.method(), request.uri(), backend.instanceId(),
                rule.app(), backend.authority(), cause.toString());
        releaseBackend();
        if (repeatable && tried.size() <= rule.retries()) {
            Backend next = proxy.balancer().acquire(rule.app(), backends, tried);
            if (next != null) {
                backend = next;
                holdingBackend = true;
                tried.add(next.key());
                connect();
                return;
            }
        }
        String triedNote = tried.size() > 1 ? " (tried " + tried.size() + " instances)" : "";
        if (cause instanceof ConnectTimeoutException) {
            fail(HttpResponseStatus.GATEWAY_TIMEOUT,
                    "an instance of app '" + rule.app() + "' did not accept the connection in time" + triedNote);
        } else {
            fail(HttpResponseStatus.BAD_GATEWAY,
                    "an instance of app '" + rule.app() + "' refused the connection" + triedNote);
        }
    }

    // ------------------------------------------------------------------ backend side

    void backendRead(Object msg) {
        if (tunnel) {
            relayFromBackend(msg);
            return;
        }
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
            Throwable cause = object.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            invalidAnswer(cause);
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (!responseHead(response)) {
                return;
            }
            clientCtx.write(response, clientCtx.voidPromise());
            if (response instanceof LastHttpContent) {
                complete();
                return;
            }
        } else if (msg instanceof HttpContent content) {
            if (informational) {
                content.release();
                informational = !(content instanceof LastHttpContent);
                return;
            }
            boolean last = content instanceof LastHttpContent;
            clientCtx.write(content, clientCtx.voidPromise());
            if (last) {
                complete();
                return;
            }
        }
        if (!clientCtx.channel().isWritable()) {
            backendChannel.config().setAutoRead(false);
        }
    }

    /**
     * An answer Netty could not read as HTTP/1.1 (a bad status line or chunk, both a length and
     * chunked): the instance's connection is out of step and is closed, never pooled; the client
     * gets a 502, or, once the answer has begun, a cut connection.
     */
    private void invalidAnswer(Throwable cause) {
        log.warn("{} {} to instance {} of app {} at {}: the answer is not valid HTTP/1.1: {}", request.method(),
                request.uri(), backend.instanceId(), rule.app(), backend.authority(), cause.toString());
        if (!responseStarted) {
            fail(HttpResponseStatus.BAD_GATEWAY,
                    "an instance of app '" + rule.app() + "' sent an answer that is not valid HTTP/1.1");
            return;
        }
        finished = true;
        dropBackendChannel();
        releaseBackend();
        proxy.metrics().record(rule.app(), status, started);
        client.abort();
    }

    /** @return false when the message is fully handled (an interim or switching answer) */
    private boolean responseHead(HttpResponse response) {
        int code = response.status().code();
        if (code == 101) {
            if (upgrade) {
                startTunnel(response);
            } else {
                // A tunnel the client never asked for: its bytes would be read as HTTP by no one.
                invalidAnswer(new IllegalStateException("101 Switching Protocols to a request without Upgrade"));
            }
            return false;
        }
        if (code >= 100 && code < 200) {
            // 103 Early Hints and the like: pass on, the real answer follows. An interim answer
            // has no body; the empty end tells the client's encoder that it is over.
            Hop.strip(response.headers());
            clientCtx.write(response, clientCtx.voidPromise());
            clientCtx.write(LastHttpContent.EMPTY_LAST_CONTENT, clientCtx.voidPromise());
            informational = true;
            return false;
        }
        responseStarted = true;
        answeredEarly = !requestComplete;
        status = code;
        backendKeepAlive = HttpUtil.isKeepAlive(response);
        HttpHeaders headers = response.headers();
        // The client gets the answer framed as the gateway relays it, whatever the instance's
        // Connection header named: an app must not be able to desync a shared client connection.
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        long contentLength = chunked ? -1 : HttpUtil.getContentLength(response, -1L);
        Hop.strip(headers);
        Hop.frame(headers, chunked, contentLength);
        headers.set(RequestIds.HEADER, requestId);
        boolean close = !client.keepAlive() || !requestComplete;
        boolean bodyAllowed = !headRequest && code != 204 && code != 304;
        if (client.http10()) {
            // An HTTP/1.0 client cannot read chunks: a body without a length ends with the connection.
            if (chunked) {
                headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
                close = true;
            } else if (bodyAllowed && contentLength < 0) {
                close = true;
            } else if (!close) {
                headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        } else if (bodyAllowed && !chunked && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            // The instance ends its body by closing; the client keeps its connection and reads chunks.
            HttpUtil.setTransferEncodingChunked(response, true);
        }
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            closeClientAfter = true;
        }
        return true;
    }

    void backendReadComplete() {
        if (!finished || tunnel) {
            clientCtx.flush();
        }
    }

    void backendWritabilityChanged() {
        if (tunnel) {
            clientCtx.channel().config().setAutoRead(backendChannel.isWritable());
        } else {
            client.updateReading();
        }
    }

    void backendFailed(Throwable cause) {
        backendError = cause;
    }

    void backendClosed() {
        if (finished) {
            return;
        }
        if (tunnel) {
            finished = true;
            releaseBackend();
            proxy.metrics().record(rule.app(), status, started);
            client.tunnelClosed();
            return;
        }
        backendChannel = null;
        if (!responseStarted) {
                if (reused && !retriedStale && repeatable) {
                retriedStale = true;
                connect();
                return;
            }
            log.warn("{} {} to instance {} of app {} at {}: connection closed before an answer{}", request.method(),
                    request.uri(), backend.instanceId(), rule.app(), backend.authority(),
                    backendError == null ? "" : " (" + backendError + ")");
            fail(HttpResponseStatus.BAD_GATEWAY,
                    "an instance of app '" + rule.app() + "' closed the connection without answering");
            return;
        }
        // The answer has started: all that is left is to cut it, so the client sees it incomplete.
        finished = true;
        releaseBackend();
        proxy.metrics().record(rule.app(), status, started);
        client.abort();
    }

    /** Sent, and no response headers yet. */
    boolean awaitingResponse() {
        return !finished && !responseStarted;
    }

    void responseTimedOut() {
        if (!awaitingResponse()) {
            return;
        }
        log.warn("{} {} to instance {} of app {} at {}: no answer within {}", request.method(), request.uri(),
                backend.instanceId(), rule.app(), backend.authority(), rule.responseTimeout());
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "an instance of app '" + rule.app() + "' did not answer in time");
    }

    // ------------------------------------------------------------------ endings

    private void complete() {
        finished = true;
        Channel channel = backendChannel;
        BackendCodec codec = channel.pipeline().get(BackendCodec.class);
        if (requestComplete && backendKeepAlive && !answeredEarly && channel.isActive()
                && (codec == null || !codec.hasUnreadBytes())) {
            channel.config().setAutoRead(true);
            backendHandler.detachToPool(channel);
        } else {
            backendHandler.detach();
            channel.close();
        }
        proxy.balancer().connected(backend);
        releaseBackend();
        proxy.metrics().record(rule.app(), status, started);
        client.exchangeDone(closeClientAfter);
    }

    private void fail(HttpResponseStatus failure, String detail) {
        finished = true;
        dropBackendChannel();
        releaseBackend();
        releasePending();
        status = failure.code();
        proxy.metrics().record(rule.app(), status, started);
        client.exchangeFailed(failure, detail, requestId, requestComplete);
    }

    private void dropBackendChannel() {
        if (connecting != null) {
            // A connect still under way: its socket is freed now, not when the connect timer fires.
            ChannelFuture pending = connecting;
            connecting = null;
            pending.channel().close();
        }
        if (backendChannel != null) {
            backendHandler.detach();
            backendChannel.close();
            backendChannel = null;
        }
    }

    private void releasePending() {
        if (pending != null) {
            pending.forEach(HttpContent::release);
            pending = null;
        }
    }

    private void releaseBackend() {
        if (holdingBackend) {
            holdingBackend = false;
            proxy.balancer().release(backend);
        }
    }

    // ------------------------------------------------------------------ WebSocket and other upgrades

    /**
     * After a 101 both connections carry another protocol: the HTTP codecs come out and bytes
     * are relayed as they are. The codecs are removed once the current read is over (the backend
     * codec is in the middle of decoding); what the instance sends meanwhile waits in a backlog,
     * and the client is not read until then.
     */
    private void startTunnel(HttpResponse response) {
        responseStarted = true;
        status = 101;
        tunnel = true;
        tunnelBacklog = new ArrayList<>();
        response.headers().set(RequestIds.HEADER, requestId);
        clientCtx.writeAndFlush(response, clientCtx.voidPromise());
        Channel channel = backendChannel;
        channel.eventLoop().execute(() -> {
            if (channel.pipeline().get(BackendCodec.class) != null) {
                channel.pipeline().remove(BackendCodec.class);
            }
            if (!channel.isActive() || finished) {
                releaseBacklog();
                return;
            }
            List<Object> backlog = tunnelBacklog;
            tunnelBacklog = null;
            client.becomeTunnel(channel);
            for (Object msg : backlog) {
                clientCtx.write(msg, clientCtx.voidPromise());
            }
            clientCtx.flush();
        });
    }

    private void relayFromBackend(Object msg) {
        if (!(msg instanceof ByteBuf) || finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (tunnelBacklog != null) {
            tunnelBacklog.add(msg);
            return;
        }
        clientCtx.write(msg, clientCtx.voidPromise());
        if (!clientCtx.channel().isWritable()) {
            backendChannel.config().setAutoRead(false);
        }
    }

    private void releaseBacklog() {
        if (tunnelBacklog != null) {
            tunnelBacklog.forEach(ReferenceCountUtil::release);
            tunnelBacklog = null;
        }
    }
}
