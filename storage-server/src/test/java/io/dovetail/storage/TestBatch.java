package io.dovetail.storage;

import io.dovetail.common.protocol.BatchHeader;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

/** A batch as a test pushes or reads it. Immutable. */
record TestBatch(int partition, int epoch, int mapIndex, long attemptId, int batchSeq,
    byte[] payload) {

  static TestBatch random(Random rnd, int partition, int mapIndex, long attemptId, int seq,
      int size) {
    byte[] p = new byte[size];
    rnd.nextBytes(p);
    return new TestBatch(partition, 0, mapIndex, attemptId, seq, p);
  }

  int crc() {
    CRC32C c = new CRC32C();
    c.update(payload);
    return (int) c.getValue();
  }

  BatchHeader header() {
    return new BatchHeader(mapIndex, attemptId, batchSeq, (byte) 0, 1, payload.length, crc());
  }

  /** Same batch identity and bytes (the epoch of a read batch is not on the wire). */
  boolean sameAs(TestBatch o) {
    return mapIndex == o.mapIndex && attemptId == o.attemptId && batchSeq == o.batchSeq
        && Arrays.equals(payload, o.payload);
  }

  @Override
  public String toString() {
    return "batch[p" + partition + "@" + epoch + " m" + mapIndex + " a" + attemptId + " s"
        + batchSeq + " " + payload.length + "B]";
  }
}
