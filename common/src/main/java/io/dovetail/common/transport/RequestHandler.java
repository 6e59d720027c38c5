package io.dovetail.common.transport;

import io.dovetail.common.protocol.Message;
import io.netty.channel.Channel;

/**
 * Serves the requests of a {@link TransportServer}. Methods run on the channel's event loop and
 * must not block; slow work goes to another executor and writes its response from there.
 */
public interface RequestHandler {
  /**
   * Handles one request. The handler owns {@code request} (release its body when done) and must
   * answer with exactly one message carrying {@code request.requestId()}, or close the channel.
   */
  void handle(Channel channel, Message request);

  /** The channel closed; give back whatever it held (streams, reservations). */
  default void channelClosed(Channel channel) {}
}
