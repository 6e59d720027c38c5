package io.dovetail.common.protocol;

/** One batch in a {@link PushRequest}: its partition file (partition, epoch) and its header. */
public record PushBatch(int partition, int epoch, BatchHeader header) {
  static final int SIZE = 4 + 4 + BatchHeader.SIZE;
}
