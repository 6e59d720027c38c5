package io.dovetail.common.protocol;

import io.netty.buffer.ByteBuf;

/**
 * A data-plane message. Not thread-safe; a message is built by one thread and handed over.
 *
 * <p>A message has fixed fields, written by {@link #encode}, and optionally a body (a
 * {@link ByteBuf} or a {@link io.netty.channel.FileRegion}) sent after them without copying.
 */
public abstract class Message {
  private long requestId;
  private int admittedBytes;
  /** Set on the event loop once {@link FrameEncoder} has taken over the body. */
  private boolean encoded;

  public abstract MessageType type();

  /** Bytes that {@link #encode} writes (the body excluded). */
  public abstract int encodedLength();

  public abstract void encode(ByteBuf out);

  /** The body, or null. Owned by this message until it is written or released. */
  public Object body() {
    return null;
  }

  /** Length of {@link #body()} in bytes. */
  public long bodyLength() {
    return 0;
  }

  /** Releases the body, if any. Idempotent per reference this message holds. */
  public void release() {}

  void encoded() {
    encoded = true;
  }

  /**
   * Releases the body unless {@link FrameEncoder} has taken it over. For a failed write, on the
   * channel's event loop: a message that never reached the encoder still owns its body.
   */
  public void releaseUnlessEncoded() {
    if (!encoded) {
      encoded = true;
      release();
    }
  }

  public long requestId() {
    return requestId;
  }

  public Message requestId(long id) {
    this.requestId = id;
    return this;
  }

  /**
   * Bytes a {@link FrameAdmission} reserved for this message when it was decoded; whoever handles
   * the message gives them back. Zero when nothing was reserved.
   */
  public int admittedBytes() {
    return admittedBytes;
  }

  void admittedBytes(int bytes) {
    this.admittedBytes = bytes;
  }

  @Override
  public String toString() {
    return type() + "#" + requestId;
  }
}
