package io.atoll.gateway.tls;

import io.atoll.gateway.routing.RoutingTable;
import io.atoll.model.HostCertificate;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;

/**
 * On the TLS port only: adds {@code Strict-Transport-Security} to the responses for hosts whose
 * certificate asks for it, the gateway's own answers included. Responses leave in request order
 * (HTTP/1.1), so each request's value waits in a queue for its response; informational (1xx)
 * responses do not take one.
 */
public final class HstsHandler extends ChannelDuplexHandler {

    private static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");
    private static final String NONE = "";

    private final CertificateStore certificates;
    private final ArrayDeque<String> pending = new ArrayDeque<>(2);

    public HstsHandler(CertificateStore certificates) {
        this.certificates = certificates;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            HostCertificate certificate = certificates.certificateFor(
                    RoutingTable.normaliseHost(request.headers().get(HttpHeaderNames.HOST)));
            pending.add(certificate == null || certificate.hstsMaxAgeSeconds() <= 0 ? NONE
                    : "max-age=" + certificate.hstsMaxAgeSeconds());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().codeClass() != io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
            String value = pending.poll();
            if (value != null && !value.isEmpty()) {
                response.headers().set(STRICT_TRANSPORT_SECURITY, value);
            }
        }
        ctx.write(msg, promise);
    }
}
