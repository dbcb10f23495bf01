package io.atoll.gateway.proxy;

import io.netty.handler.codec.http.HttpContent;

/**
 * The request a client connection has in flight: relayed by the proxy itself ({@link Exchange})
 * or run through a rule's Spring Cloud Gateway filters ({@link FilteredExchange}). Every method
 * is called on the client connection's event loop.
 */
abstract class InFlight {

    abstract boolean requestComplete();

    abstract String app();

    abstract String requestId();

    abstract long started();

    /** @return true when no answer has started, so the caller can still answer the client */
    abstract boolean abandon(int failure);

    abstract boolean acceptsClientData();

    abstract void clientContent(HttpContent content);

    abstract void clientReadComplete();

    abstract void clientWritabilityChanged(boolean writable);

    abstract void clientClosed();
}
