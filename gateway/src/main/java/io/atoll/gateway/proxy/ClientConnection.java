package io.atoll.gateway.proxy;

import io.atoll.gateway.routing.AppRule;
import io.atoll.gateway.routing.Backend;
import io.atoll.gateway.routing.Resolution;
import io.atoll.gateway.routing.RoutingTable;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's keep-alive connection: parses each request's target, looks the host up in the
 * routing table, answers what the gateway can answer itself (400, 404, 503) and hands the rest
 * to an {@link Exchange}, one at a time. Requests a client pipelines behind one still in flight
 * wait here, in order.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

    /** Sent to every connection when the gateway stops: finish what is in flight, then close. */
    static final Object SHUTDOWN = new Object();

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

    /** Pipelined messages held while a response is in flight, before reading pauses. */
    private static final int MAX_QUEUED = 32;

    private final ProxyContext proxy;
    private final HeaderDeadline headerDeadline;
    private ChannelHandlerContext ctx;
    private String clientAddress;
    private InetAddress counted;
    private boolean trustedClient;
    private String localPort;
    /** The body bytes the current request may still send, and how many it has sent. */
    private long bodyLimit = Long.MAX_VALUE;
    private long bodyBytes;

    private InFlight current;
    private ArrayDeque<Object> queued;
    private boolean keepAlive;
    private boolean http10;
    private boolean closing;
    private boolean closed;
    private Channel tunnel;
    /** Between a read's first message and its end: writes to an instance are flushed at the end. */
    private boolean inRead;

    ClientConnection(ProxyContext proxy, HeaderDeadline headerDeadline) {
        this.proxy = proxy;
        this.headerDeadline = headerDeadline;
    }

    boolean keepAlive() {
        return keepAlive && !closing;
    }

    boolean http10() {
        return http10;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            clientAddress = remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
            trustedClient = proxy.forwarded().trusts(remote);
            // An HTTP/2 stream: its connection is counted (Http2ClientConnection), not each request.
            if (!trustedClient && !(ctx.channel() instanceof Http2StreamChannel)) {
                if (proxy.connectionLimit().tryAcquire(remote.getAddress())) {
                    counted = remote.getAddress();
                } else {
                    refuseOverLimit();
                    ctx.fireChannelActive();
                    return;
                }
            }
        }
        if (ctx.channel().localAddress() instanceof InetSocketAddress local) {
            localPort = String.valueOf(local.getPort());
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (tunnel != null) {
            tunnel.write(msg, tunnel.voidPromise());
            if (!tunnel.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        if ((current != null && current.requestComplete()) || (queued != null && !queued.isEmpty())) {
            if (queued == null) {
                queued = new ArrayDeque<>();
            }
            queued.add(msg);
            updateReading();
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest request) {
            headerDeadline.headReceived();
            bodyBytes = 0;
            onRequest(request);
        }
        if (msg instanceof HttpContent content) {
            if (content instanceof LastHttpContent last) {
                headerDeadline.requestEnded();
                // Request trailers are not relayed: some servers fold them into the headers,
                // after the gateway has routed and rewritten those.
                if (!last.trailingHeaders().isEmpty()) {
                    last.trailingHeaders().clear();
                }
            }
            if (content.decoderResult().isFailure()) {
                // A malformed chunk: the decoder gives up on the connection. What was relayed so
                // far must never look complete to the instance, so its connection is cut, not ended.
                content.release();
                refuseBody(HttpResponseStatus.BAD_REQUEST, "the request body is not valid HTTP/1.1 chunked encoding: "
                        + content.decoderResult().cause().getMessage());
                return;
            }
            bodyBytes += content.content().readableBytes();
            if (bodyBytes > bodyLimit) {
                content.release();
                refuseBody(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        "the request body is larger than the " + bodyLimit + " bytes this route accepts");
                return;
            }
            if (current != null && !current.requestComplete()) {
                current.clientContent(content);
            } else {
                // The body of a request the gateway answered itself.
                content.release();
            }
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Ends a request whose body cannot be relayed: the instance's connection is closed mid-body
     * (so the instance never sees a complete request), the client gets the status if no answer
     * has started yet, and its connection closes, since what follows on it cannot be trusted.
     */
    private void refuseBody(HttpResponseStatus status, String detail) {
        keepAlive = false;
        if (closed) {
            return;
        }
        InFlight exchange = current;
        current = null;
        if (exchange == null || !exchange.abandon(status.code())) {
            // Nothing of ours to answer (the gateway already did), or the instance's answer has
            // begun: the client can only learn it from the cut.
            abort();
            return;
        }
        answer(exchange.app(), status, detail, exchange.requestId(), exchange.started(), true);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (tunnel != null) {
            tunnel.flush();
        } else if (current != null) {
            current.clientReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (tunnel != null) {
            tunnel.config().setAutoRead(writable);
        } else if (current != null) {
            current.clientWritabilityChanged(writable);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        releaseCount();
        if (current != null) {
            current.clientClosed();
            current = null;
        }
        if (queued != null) {
            queued.forEach(ReferenceCountUtil::release);
            queued = null;
        }
        ctx.fireChannelInactive();
    }

    /** Taken out for HTTP/2 (ProxyServer.toHttp2): the connection is counted there instead. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseCount();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            if (current == null && tunnel == null) {
                ctx.close();
            }
            return;
        }
        if (event == HeaderDeadline.EXPIRED) {
            keepAlive = false;
            if (current == null && tunnel == null && !closed) {
                answer(null, HttpResponseStatus.REQUEST_TIMEOUT, "the request's headers did not arrive within "
                        + proxy.properties().headerTimeout().toMillis() + " ms", RequestIds.create(), System.nanoTime(),
                        true);
            } else {
                // An answer is in flight: let it finish, then close instead of waiting on.
                closing = true;
            }
            return;
        }
        if (event == SHUTDOWN) {
            closing = true;
            if (current == null && tunnel == null) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /**
     * An address over its connection limit: the 429 goes out at once and the sending side is
     * shut, so the client reads the answer and an end; what it sends meanwhile is read and
     * dropped for a second before the close (closing with its bytes unread would reset the
     * connection, and the client could lose the answer). Not counted, so such a connection must
     * not live long.
     */
    private void refuseOverLimit() {
        keepAlive = false;
        closed = true;
        proxy.metrics().record(null, HttpResponseStatus.TOO_MANY_REQUESTS.code(), System.nanoTime());
        ctx.writeAndFlush(ProblemResponses.of(HttpResponseStatus.TOO_MANY_REQUESTS,
                "too many connections from this address", RequestIds.create(), true)).addListener(written -> {
                    if (written.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) {
                        duplex.shutdownOutput();
                    }
                    ctx.executor().schedule(() -> ctx.close(), 1, TimeUnit.SECONDS);
                });
    }

    // ------------------------------------------------------------------ requests

    private void onRequest(HttpRequest request) {
        long started = System.nanoTime();
        HttpHeaders headers = request.headers();
        String requestId = RequestIds.keepOrCreate(headers.get(X_REQUEST_ID));
        bodyLimit = Long.MAX_VALUE;
        if (request.decoderResult().isFailure()) {
            keepAlive = false;
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            answer(null, status, "the request is not valid HTTP/1.1: " + cause.getMessage(), requestId, started, true);
            return;
        }
        keepAlive = HttpUtil.isKeepAlive(request);
        http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        // How the decoder framed the body; the request the instance gets is framed the same way,
        // whatever the client's headers say after hop-by-hop stripping (Hop.frame).
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        long contentLength = chunked ? -1 : HttpUtil.getContentLength(request, -1L);
        boolean hasBody = chunked || contentLength > 0;
        if (request.method().equals(HttpMethod.CONNECT)) {
            // A reverse proxy opens no tunnels to arbitrary places.
            answer(null, HttpResponseStatus.METHOD_NOT_ALLOWED, "the gateway does not serve CONNECT", requestId,
                    started, true);
            return;
        }
        RequestTarget checked;
        try {
            checked = RequestTarget.of(request);
        } catch (RequestTarget.Invalid e) {
            keepAlive = false;
            answer(null, HttpResponseStatus.BAD_REQUEST, e.getMessage(), requestId, started, true);
            return;
        }
        String authority = checked.authority();
        String target = checked.target();
        int question = target.indexOf('?');
        String rawPath = question < 0 ? target : target.substring(0, question);
        String query = question < 0 ? null : target.substring(question + 1);
        // "OPTIONS *": routed by host alone, forwarded as it is.
        String path = rawPath.startsWith("/") ? rawPath : "/";
        String host = RoutingTable.normaliseHost(authority);
        if (!headers.contains(HttpHeaderNames.HOST)) {
            // An HTTP/1.0 request in absolute form: the instance learns the host all the same.
            headers.set(HttpHeaderNames.HOST, authority);
        }

        if (proxy.httpsRedirect() != null) {
            String location = proxy.httpsRedirect().location(host, target);
            if (location != null) {
                redirect(location, requestId, started, hasBody);
                return;
            }
        }

        RoutingTable table = proxy.tables().current();
        Resolution resolution = table.resolve(host, path, new NettyRequestAttributes(headers, query));
        if (resolution instanceof Resolution.NoRoute) {
            answer(null, HttpResponseStatus.NOT_FOUND, "no app serves host '" + host + "'"
                    + (table.knowsHost(host) ? " at path '" + path + "'" : ""), requestId, started, hasBody);
            return;
        }
        if (resolution instanceof Resolution.NoHealthyInstance none) {
            answer(none.app(), HttpResponseStatus.SERVICE_UNAVAILABLE, "app '" + none.app()
                    + "' has no healthy instance", requestId, started, hasBody);
            return;
        }
        Resolution.Match match = (Resolution.Match) resolution;
        AppRule rule = match.rule();
        if (contentLength > rule.maxBodyBytes()) {
            answer(rule.app(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "the request body is larger than the "
                    + rule.maxBodyBytes() + " bytes this route accepts", requestId, started, true);
            return;
        }
        Backend first = proxy.balancer().acquire(rule.app(), match.backends(), Collections.emptySet());
        if (first == null) {
            answer(rule.app(), HttpResponseStatus.SERVICE_UNAVAILABLE, "app '" + rule.app()
                    + "' has no healthy instance", requestId, started, hasBody);
            return;
        }
        bodyLimit = rule.maxBodyBytes();

        String upgradeTo = headers.get(HttpHeaderNames.UPGRADE);
        // h2c is refused: RFC 9113 dropped the upgrade, and a tunnel of HTTP/2 to an instance
        // would carry requests the gateway never routed.
        boolean upgrade = upgradeTo != null && !headers.containsValue(HttpHeaderNames.UPGRADE, "h2c", true)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
        Hop.strip(headers);
        Hop.frame(headers, chunked, contentLength);
        if (upgrade) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            headers.set(HttpHeaderNames.UPGRADE, upgradeTo);
        }
        proxy.forwarded().apply(headers, trustedClient, clientAddress, authority, localPort);
        headers.set(X_REQUEST_ID, requestId);
        String forwardedPath = rawPath.startsWith("/") ? rule.forwardedPath(rawPath) : rawPath;
        String forwardedTarget = query == null ? forwardedPath : forwardedPath + "?" + query;
        if (!forwardedTarget.equals(request.uri())) {
            request.setUri(forwardedTarget);
        }
        // Instances always get HTTP/1.1, so their connections can be kept and reused.
        request.setProtocolVersion(HttpVersion.HTTP_1_1);

        HttpMethod method = request.method();
        boolean repeatable = !hasBody && (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)
                || method.equals(HttpMethod.OPTIONS));
        if (rule.filters() != null) {
            // The rule lists Spring Cloud Gateway filters: SCG's chain takes the request from here.
            if (upgrade) {
                proxy.balancer().release(first);
                answer(rule.app(), HttpResponseStatus.NOT_IMPLEMENTED,
                        "upgrades (WebSocket) are not served on a route with filters", requestId, started, hasBody);
                return;
            }
            FilteredExchange filtered = new FilteredExchange(this, ctx, proxy, request, rule, match.backends(), first,
                    requestId, started, repeatable, hasBody);
            current = filtered;
            filtered.start();
            updateReading();
            return;
        }
        Exchange exchange = new Exchange(this, ctx, proxy, request, rule, match.backends(), requestId, started,
                repeatable, upgrade, method.equals(HttpMethod.HEAD));
        current = exchange;
        exchange.start(first, inRead);
        updateReading();
    }

    /** The gateway's own answer, before any instance was involved. */
    private void answer(String app, HttpResponseStatus status, String detail, String requestId, long started,
            boolean unreadBody) {
        proxy.metrics().record(app, status.code(), started);
        boolean close = unreadBody || !keepAlive();
        FullHttpResponse response = ProblemResponses.of(status, detail, requestId, close);
        if (status.equals(HttpResponseStatus.SERVICE_UNAVAILABLE)) {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER,
                    (int) Math.max(1, proxy.properties().retryAfter().toSeconds()));
        }
        write(response, close);
    }

    /** A host that is served over HTTPS only: a 308 there, which keeps the method and the body. */
    private void redirect(String location, String requestId, long started, boolean unreadBody) {
        proxy.metrics().record(null, HttpResponseStatus.PERMANENT_REDIRECT.code(), started);
        boolean close = unreadBody || !keepAlive();
        FullHttpResponse response = ProblemResponses.of(HttpResponseStatus.PERMANENT_REDIRECT,
                "this host is served over HTTPS only: " + location, requestId, close);
        response.headers().set(HttpHeaderNames.LOCATION, location);
        write(response, close);
    }

    /**
     * Gives the connection's place back once the gateway has decided to close it: the client
     * sees the close before Netty reports the channel inactive, and may connect again at once.
     */
    private void releaseCount() {
        if (counted != null) {
            proxy.connectionLimit().release(counted);
            counted = null;
        }
    }

    private void write(FullHttpResponse response, boolean close) {
        if (close) {
            closed = true;
            releaseCount();
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response, ctx.voidPromise());
        }
    }

    // ------------------------------------------------------------------ called by the exchange

    void exchangeDone(boolean close) {
        current = null;
        if (close || closing) {
            closed = true;
            releaseCount();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.flush();
        drainQueued();
    }

    void exchangeFailed(HttpResponseStatus status, String detail, String requestId, boolean requestComplete) {
        current = null;
        boolean close = !requestComplete || !keepAlive();
        write(ProblemResponses.of(status, detail, requestId, close), close);
        if (!close) {
            drainQueued();
        }
    }

    /** The instance failed mid-answer: the client can only learn it from a cut connection. */
    void abort() {
        current = null;
        closed = true;
        releaseCount();
        ctx.flush();
        ctx.close();
    }

    void becomeTunnel(Channel backend) {
        ChannelHandlerContext codec = ctx.pipeline().context(HttpServerCodec.class);
        tunnel = backend;
        if (queued != null) {
            // Only a client that did not wait for the 101 gets here; what it sent was parsed as HTTP.
            queued.forEach(ReferenceCountUtil::release);
            queued = null;
        }
        if (ctx.pipeline().get(HttpServerExpectContinueHandler.class) != null) {
            ctx.pipeline().remove(HttpServerExpectContinueHandler.class);
        }
        if (codec != null) {
            // Bytes the client already sent past the upgrade request come out here, as bytes.
            ctx.pipeline().remove(HttpServerCodec.class);
        }
        backend.flush();
        ctx.channel().config().setAutoRead(backend.isWritable());
    }

    void tunnelClosed() {
        current = null;
        closed = true;
        releaseCount();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void drainQueued() {
        boolean dispatched = false;
        while (queued != null && !queued.isEmpty() && !closed && (current == null || !current.requestComplete())) {
            dispatch(queued.poll());
            dispatched = true;
        }
        if (dispatched && current != null && !inRead) {
            // No read of the client's will end to flush what was relayed from the queue (a
            // pipelined request's body): flush it now.
            current.clientReadComplete();
        }
        updateReading();
    }

    /** Reads on while what is read has somewhere to go; pauses for a slow instance or a long queue. */
    void updateReading() {
        if (closed || tunnel != null) {
            return;
        }
        boolean read = (queued == null || queued.size() < MAX_QUEUED)
                && (current == null || current.acceptsClientData());
        ctx.channel().config().setAutoRead(read);
    }
}
