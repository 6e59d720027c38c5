package io.dovetail.client.read;

import io.dovetail.common.protocol.BatchHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins the fragments of payloads that were pushed as several batches. Fragments may arrive in
 * any order (different epochs, replicas); a payload is complete when its FIRST fragment, its LAST
 * fragment and every batchSeq between them are present. Not thread-safe; owns the fragments it
 * holds.
 */
final class FragmentAssembler {
  private record Fragment(BatchHeader header, ByteBuf payload) {}

  private final Map<Integer, TreeMap<Integer, Fragment>> byMap = new HashMap<>();

  /**
   * Adds a fragment (taking ownership of {@code payload}); returns the joined payload if this
   * completed one, else null.
   */
  ReadBatch add(int partition, BatchHeader header, ByteBuf payload) {
    TreeMap<Integer, Fragment> frags = byMap.computeIfAbsent(header.mapIndex(), m -> new TreeMap<>());
    frags.put(header.batchSeq(), new Fragment(header, payload));
    int start = header.batchSeq();
    while (true) {
      Fragment f = frags.get(start);
      if (f == null) {
        return null;
      }
      if ((f.header.flags() & BatchHeader.FLAG_FIRST) != 0) {
        break;
      }
      start--;
    }
    int end = start;
    while (true) {
      Fragment f = frags.get(end);
      if (f == null) {
        return null;
      }
      if ((f.header.flags() & BatchHeader.FLAG_LAST) != 0) {
        break;
      }
      end++;
    }
    CompositeByteBuf joined = Unpooled.compositeBuffer(end - start + 1);
    int records = 0;
    for (int seq = start; seq <= end; seq++) {
      Fragment f = frags.remove(seq);
      joined.addComponent(true, f.payload);
      records += f.header.recordCount();
    }
    if (frags.isEmpty()) {
      byMap.remove(header.mapIndex());
    }
    return new ReadBatch(partition, header.mapIndex(), header.attemptId(), records, joined);
  }

  boolean isEmpty() {
    return byMap.isEmpty();
  }

  /** Releases every fragment still held. */
  void clear() {
    for (TreeMap<Integer, Fragment> frags : byMap.values()) {
      for (Fragment f : frags.values()) {
        f.payload.release();
      }
    }
    byMap.clear();
  }
}
