/**
 * The Netty TCP data-plane transport: event loops (native epoll when available),
 * {@link io.dovetail.common.transport.TransportServer} dispatching decoded requests to a
 * {@link io.dovetail.common.transport.RequestHandler}, and
 * {@link io.dovetail.common.transport.TransportClient}s pooled per peer by
 * {@link io.dovetail.common.transport.TransportClientFactory}. Requests and responses are matched
 * by request id.
 */
package io.dovetail.common.transport;
