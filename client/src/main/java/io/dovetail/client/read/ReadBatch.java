package io.dovetail.client.read;

import io.netty.buffer.ByteBuf;

/**
 * One committed batch as read: a payload exactly as it was pushed (fragments joined). The
 * receiver owns {@code payload} and must {@link #release()} it. Immutable apart from that.
 */
public record ReadBatch(int partition, int mapIndex, long attemptId, int recordCount,
    ByteBuf payload) {
  public void release() {
    payload.release();
  }
}
