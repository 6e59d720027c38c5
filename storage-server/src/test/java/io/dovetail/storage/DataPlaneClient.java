package io.dovetail.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.ChunkResponse;
import io.dovetail.common.protocol.CloseStreamRequest;
import io.dovetail.common.protocol.FetchChunkRequest;
import io.dovetail.common.protocol.OpenStreamRequest;
import io.dovetail.common.protocol.PushBatch;
import io.dovetail.common.protocol.PushRequest;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.common.protocol.ReplicaTarget;
import io.dovetail.common.protocol.SealRequest;
import io.dovetail.common.protocol.StreamOpened;
import io.dovetail.common.transport.TransportClient;
import io.dovetail.common.transport.TransportClientFactory;
import io.dovetail.common.util.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A minimal data-plane client for tests: push, seal, open a stream and read it back, checking
 * every batch's checksum. Thread-safe as far as its TransportClient is.
 */
final class DataPlaneClient implements AutoCloseable {
  private final TransportClientFactory factory;
  private final TransportClient client;

  DataPlaneClient(DovetailConf conf, String host, int port) {
    this.factory = new TransportClientFactory("test-client", conf);
    try {
      this.client = factory.connect(new HostPort(host, port));
    } catch (RuntimeException e) {
      factory.close();
      throw e;
    }
  }

  TransportClient transport() {
    return client;
  }

  static PushRequest pushRequest(String app, int shuffle, long incarnation,
      List<ReplicaTarget> replicas, List<TestBatch> batches) {
    List<PushBatch> pb = new ArrayList<>(batches.size());
    int total = 0;
    for (TestBatch b : batches) {
      pb.add(new PushBatch(b.partition(), b.epoch(), b.header()));
      total += b.payload().length;
    }
    ByteBuf payloads = PooledByteBufAllocator.DEFAULT.directBuffer(total);
    for (TestBatch b : batches) {
      payloads.writeBytes(b.payload());
    }
    return new PushRequest(app, shuffle, incarnation, (byte) 0, replicas, pb, payloads);
  }

  PushResponse push(String app, int shuffle, long incarnation, List<TestBatch> batches) {
    return push(app, shuffle, incarnation, List.of(), batches);
  }

  PushResponse push(String app, int shuffle, long incarnation, List<ReplicaTarget> replicas,
      List<TestBatch> batches) {
    return (PushResponse) client.requestSync(
        pushRequest(app, shuffle, incarnation, replicas, batches));
  }

  void seal(String app, int shuffle, int... partitions) {
    List<SealRequest.Target> targets = new ArrayList<>();
    for (int p : partitions) {
      targets.add(new SealRequest.Target(p, 0));
    }
    client.requestSync(new SealRequest(app, shuffle, targets)).release();
  }

  StreamOpened open(String app, int shuffle, int partition, long incarnation, int startMap,
      int endMap, int[] maps, long[] attempts) {
    return (StreamOpened) client.requestSync(new OpenStreamRequest(app, shuffle, partition, 0,
        incarnation, startMap, endMap, maps, attempts));
  }

  /** What one stream read: the open answer and every batch in order. */
  record Read(StreamOpened opened, List<TestBatch> batches, long bytes) {}

  Read readAll(String app, int shuffle, int partition, long incarnation) {
    return read(app, shuffle, partition, incarnation, 0, Integer.MAX_VALUE, null, null);
  }

  Read read(String app, int shuffle, int partition, long incarnation, int startMap, int endMap,
      int[] maps, long[] attempts) {
    StreamOpened opened = open(app, shuffle, partition, incarnation, startMap, endMap, maps,
        attempts);
    List<TestBatch> out = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < opened.numChunks(); i++) {
      ChunkResponse chunk = (ChunkResponse) client.requestSync(
          new FetchChunkRequest(opened.streamId(), i));
      try {
        ByteBuf data = chunk.data();
        bytes += data.readableBytes();
        assertThat(data.readableBytes()).as("chunk %d is not empty", i).isPositive();
        while (data.isReadable()) {
          BatchHeader h = BatchHeader.read(data);
          byte[] payload = new byte[h.length()];
          data.readBytes(payload);
          CRC32C crc = new CRC32C();
          crc.update(payload);
          assertThat((int) crc.getValue()).as("crc of a read batch").isEqualTo(h.crc32c());
          out.add(new TestBatch(partition, 0, h.mapIndex(), h.attemptId(), h.batchSeq(),
              payload));
        }
      } finally {
        chunk.release();
      }
    }
    client.requestSync(new CloseStreamRequest(opened.streamId())).release();
    assertThat(bytes).as("bytes read equal the stream's totalBytes")
        .isEqualTo(opened.totalBytes());
    assertThat((long) out.size()).as("batches read equal batchCount")
        .isEqualTo(opened.batchCount());
    return new Read(opened, out, bytes);
  }

  @Override
  public void close() {
    client.close();
    factory.close();
  }
}
