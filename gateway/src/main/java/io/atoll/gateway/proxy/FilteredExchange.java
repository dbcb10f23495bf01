package io.atoll.gateway.proxy;

import io.atoll.gateway.routing.AppBackends;
import io.atoll.gateway.routing.AppRule;
import io.atoll.gateway.routing.Backend;
import io.atoll.gateway.routing.Upstream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import java.net.ConnectException;
import java.net.URI;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.adapter.DefaultServerWebExchange;
import org.springframework.web.server.i18n.AcceptHeaderLocaleContextResolver;
import org.springframework.web.server.i18n.LocaleContextResolver;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.WebSessionManager;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A request for a rule with Spring Cloud Gateway filters: handed in-process to SCG's filter
 * chain as a {@code ServerWebExchange} over the proxy's own Netty request and client connection
 * (no second server, no loopback hop). SCG's filters run as they would in SCG; the last step,
 * Atoll's forwarding filter and SCG's NettyRoutingFilter, sends the request to the instance the
 * balancer picks. The client connection sees this as it sees an {@link Exchange}: body in, one
 * answer out, then {@link ClientConnection#exchangeDone}.
 *
 * <p>Threads: created and fed on the client's event loop; SCG's chain completes on whichever
 * thread the instance's answer arrived on, so its endings hop back to the loop.
 */
final class FilteredExchange extends InFlight {

    private static final Logger log = LoggerFactory.getLogger(FilteredExchange.class);

    // Shared: a DefaultServerWebExchange only consults them for form and multipart bodies, sessions and locales.
    private static final ServerCodecConfigurer CODECS = ServerCodecConfigurer.create();
    private static final WebSessionManager SESSIONS = new DefaultWebSessionManager();
    private static final LocaleContextResolver LOCALES = new AcceptHeaderLocaleContextResolver();

    /** Request body bytes held for SCG before the client is no longer read. */
    private static final long MAX_BUFFERED = 256 * 1024;

    private final ClientConnection client;
    private final ChannelHandlerContext ctx;
    private final ProxyContext proxy;
    private final HttpRequest request;
    private final AppRule rule;
    private final Upstream upstream;
    private final String requestId;
    private final long started;
    private final boolean hasBody;

    private final AtomicLong buffered = new AtomicLong();
    private Sinks.Many<DataBuffer> body;
    private NettyDataBufferFactory buffers;
    private NettyServerResponse response;
    private Disposable running;
    /** Written on the client's loop, read also where SCG's chain writes the answer's head. */
    private volatile boolean requestComplete;
    private boolean finished;

    FilteredExchange(ClientConnection client, ChannelHandlerContext ctx, ProxyContext proxy, HttpRequest request,
            AppRule rule, AppBackends backends, Backend first, String requestId, long started, boolean repeatable,
            boolean hasBody) {
        this.client = client;
        this.ctx = ctx;
        this.proxy = proxy;
        this.request = request;
        this.rule = rule;
        this.upstream = new Upstream(rule, backends, first, repeatable);
        this.requestId = requestId;
        this.started = started;
        this.hasBody = hasBody;
    }

    void start() {
        buffers = new NettyDataBufferFactory(ctx.alloc());
        URI uri;
        try {
            String scheme = ctx.pipeline().get(SslHandler.class) != null ? "https" : "http";
            String target = request.uri().startsWith("/") ? request.uri() : "/";
            uri = URI.create(scheme + "://" + request.headers().get(HttpHeaderNames.HOST) + target);
        } catch (IllegalArgumentException e) {
            // Visible ASCII that RequestTarget lets through but java.net.URI does not ({, |, ^, ...).
            end(HttpResponseStatus.BAD_REQUEST, "the request target is not a URI SCG's filters can take");
            return;
        }
        Flux<DataBuffer> content;
        if (hasBody) {
            body = Sinks.many().unicast().onBackpressureBuffer();
            content = body.asFlux().doOnNext(this::consumed).doOnDiscard(DataBuffer.class, DataBufferUtils::release);
        } else {
            content = Flux.empty();
        }
        boolean keepAlive = client.keepAlive();
        // A filter answering before the body was read (RequestSize's 413, a 401, a 429) leaves the
        // rest of the body on the connection, which is then closed: the head must say so, or the
        // client sends its next request on a connection about to go away.
        response = NettyServerResponse.create(ctx, requestId, request.method().equals(HttpMethod.HEAD),
                client.http10(), () -> keepAlive && (!hasBody || requestComplete));
        DefaultServerWebExchange exchange = new DefaultServerWebExchange(
                new NettyServerRequest(request, uri, content, ctx.channel()), response, SESSIONS, CODECS, LOCALES);
        exchange.getAttributes().put(Upstream.ATTRIBUTE, upstream);
        running = rule.filters().handle(exchange).then(Mono.defer(response::finish))
                .subscribe(null, this::failed, this::completed);
    }

    private void consumed(DataBuffer buffer) {
        int bytes = buffer.readableByteCount();
        long now = buffered.addAndGet(-bytes);
        if (now < MAX_BUFFERED && now + bytes >= MAX_BUFFERED) {
            ctx.executor().execute(client::updateReading);
        }
    }

    @Override
    boolean requestComplete() {
        return requestComplete;
    }

    @Override
    String app() {
        return rule.app();
    }

    @Override
    String requestId() {
        return requestId;
    }

    @Override
    long started() {
        return started;
    }

    @Override
    boolean acceptsClientData() {
        return requestComplete || finished || buffered.get() < MAX_BUFFERED;
    }

    @Override
    void clientContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        requestComplete |= last;
        if (finished || body == null || !content.content().isReadable()) {
            content.release();
        } else {
            buffered.addAndGet(content.content().readableBytes());
            if (body.tryEmitNext(buffers.wrap(content.content())).isFailure()) {
                content.release();
            }
        }
        if (last && body != null) {
            body.tryEmitComplete();
        }
    }

    @Override
    void clientReadComplete() {
        // Nothing waits for a flush: SCG's client writes what it is given.
    }

    @Override
    void clientWritabilityChanged(boolean writable) {
        // Each chunk of the answer is requested once the previous one is written (NettyServerResponse).
    }

    @Override
    boolean abandon(int failure) {
        stop();
        if (response != null && response.headWritten()) {
            proxy.metrics().record(rule.app(), response.status(), started);
            return false;
        }
        return true;
    }

    @Override
    void clientClosed() {
        if (!finished) {
            stop();
            proxy.metrics().record(rule.app(), RequestMetrics.CLIENT_CLOSED, started);
        }
    }

    private void stop() {
        finished = true;
        if (running != null) {
            running.dispose();
        }
        releaseUnused();
        if (body != null) {
            body.tryEmitError(new IllegalStateException("the request was abandoned"));
        }
    }

    private void releaseUnused() {
        Backend unused = upstream.takeFirst();
        if (unused != null) {
            proxy.balancer().release(unused);
        }
    }

    private void completed() {
        onLoop(() -> {
            if (finished) {
                return;
            }
            finished = true;
            releaseUnused();
            proxy.metrics().record(rule.app(), response.status(), started);
            // The head already said whether the connection closes: it does when the filters
            // answered without reading the body (a 429, a 413), which leaves it unusable.
            client.exchangeDone(response.closeAfter());
        });
    }

    private void failed(Throwable error) {
        onLoop(() -> {
            if (finished) {
                return;
            }
            if (response.headWritten()) {
                finished = true;
                releaseUnused();
                log.warn("{} {} on a filtered route of app {} failed mid-answer: {}", request.method(), request.uri(),
                        rule.app(), error.toString());
                proxy.metrics().record(rule.app(), response.status(), started);
                client.abort();
                return;
            }
            if (error instanceof ResponseStatusException status) {
                end(HttpResponseStatus.valueOf(status.getStatusCode().value()),
                        status.getReason() == null ? "the route's filters refused the request" : status.getReason());
            } else if (error instanceof io.netty.channel.ConnectTimeoutException) {
                end(HttpResponseStatus.GATEWAY_TIMEOUT,
                        "an instance of app '" + rule.app() + "' did not accept the connection in time");
            } else if (error instanceof ConnectException) {
                end(HttpResponseStatus.BAD_GATEWAY, "an instance of app '" + rule.app() + "' refused the connection");
            } else if (error instanceof TimeoutException) {
                end(HttpResponseStatus.GATEWAY_TIMEOUT, "an instance of app '" + rule.app() + "' did not answer in time");
            } else {
                log.warn("{} {} on a filtered route of app {} failed: {}", request.method(), request.uri(), rule.app(),
                        error.toString());
                end(HttpResponseStatus.BAD_GATEWAY, "the request to app '" + rule.app() + "' failed");
            }
        });
    }

    /** The gateway's own answer, no byte of SCG's having gone out. */
    private void end(HttpResponseStatus status, String detail) {
        finished = true;
        releaseUnused();
        if (running != null) {
            running.dispose();
        }
        proxy.metrics().record(rule.app(), status.code(), started);
        client.exchangeFailed(status, detail, requestId, requestComplete || !hasBody);
    }

    private void onLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }
}
