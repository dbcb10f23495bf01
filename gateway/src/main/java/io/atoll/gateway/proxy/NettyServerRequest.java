package io.atoll.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.net.InetSocketAddress;
import java.net.URI;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import reactor.core.publisher.Flux;

/**
 * The proxy's already-parsed request as Spring's {@code ServerHttpRequest}, for SCG's filters:
 * the Netty headers are shared, not copied; the body is what the client connection relays.
 * TLS is the proxy's business, so no {@link SslInfo} is offered.
 */
final class NettyServerRequest extends AbstractServerHttpRequest {

    private final HttpRequest request;
    private final Flux<DataBuffer> body;
    private final Channel channel;

    NettyServerRequest(HttpRequest request, URI uri, Flux<DataBuffer> body, Channel channel) {
        super(HttpMethod.valueOf(request.method().name()), uri, null,
                new HttpHeaders(new Netty4HeadersAdapter(request.headers())));
        this.request = request;
        this.body = body;
        this.channel = channel;
    }

    @Override
    protected MultiValueMap<String, HttpCookie> initCookies() {
        MultiValueMap<String, HttpCookie> cookies = new LinkedMultiValueMap<>();
        for (String header : request.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie cookie : ServerCookieDecoder.LAX.decode(header)) {
                cookies.add(cookie.name(), new HttpCookie(cookie.name(), cookie.value()));
            }
        }
        return cookies;
    }

    @Override
    protected SslInfo initSslInfo() {
        return null;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return channel.remoteAddress() instanceof InetSocketAddress address ? address : null;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return channel.localAddress() instanceof InetSocketAddress address ? address : null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getNativeRequest() {
        return (T) request;
    }

    @Override
    public Flux<DataBuffer> getBody() {
        return body;
    }
}
