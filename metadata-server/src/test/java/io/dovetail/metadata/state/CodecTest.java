package io.dovetail.metadata.state;

import static io.dovetail.metadata.state.StateFixture.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.store.KvBatch;
import io.dovetail.metadata.store.rocksdb.RocksKeyValueStore;
import io.dovetail.proto.ServerState;
import io.dovetail.testkit.ManualClock;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Stored formats: round trips, and corrupt values failing with INTERNAL, never a crash. */
class CodecTest {

  @Test
  void varintsRoundTripAndSkip() {
    long[] values = {0, 1, 127, 128, 300, Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE, -1L};
    Bytes.Writer w = new Bytes.Writer(1);
    for (long v : values) {
      w.varLong(v);
    }
    Bytes.Reader r = new Bytes.Reader(w.toByteArray());
    for (long v : values) {
      assertThat(r.varLong()).isEqualTo(v);
    }
    assertThat(r.hasRemaining()).isFalse();
    Bytes.Reader skip = new Bytes.Reader(w.toByteArray());
    skip.skipVarLongs(8);
    assertThat(skip.varLong()).isEqualTo(-1L);
  }

  @Test
  void serverRecordRoundTrips() {
    ServerRecord r = new ServerRecord("h", 7000, 42, ServerState.DRAINING, 1, 2, 3, "v1",
        List.of(StateFixture.disk(5)), 9, 9, 9, 9);
    ServerRecord back = Codec.server(Codec.server(r), 100);
    assertThat(back).isEqualTo(new ServerRecord("h", 7000, 42, ServerState.DRAINING, 1, 2, 3,
        "v1", List.of(StateFixture.disk(5)), 100, 0, 0, 0));
  }

  @Test
  void commitDecodesAnyPartitionRange() {
    Random random = new Random(5);
    long[] bytes = new long[100];
    long[] batches = new long[100];
    for (int i = 0; i < 100; i++) {
      bytes[i] = random.nextLong() & Long.MAX_VALUE;
      batches[i] = random.nextInt(3);
    }
    long run = CommitOps.stageRun(Integer.MAX_VALUE, 2);
    Codec.Commit c = new Codec.Commit(Codec.commit(7, run, 123, 100,
        new long[][] {bytes, new long[0], batches}));
    assertThat(c.attemptId).isEqualTo(7);
    assertThat(c.stageRun).isEqualTo(run);
    assertThat(c.has(Codec.RECORDS)).isFalse();
    assertThat(c.full(Codec.BYTES)).containsExactly(bytes);
    assertThat(c.full(Codec.RECORDS)).containsOnly(0L);
    long[] part = new long[10];
    c.addRange(Codec.BATCHES, 40, 50, part, 1);
    assertThat(part).containsExactly(Arrays.copyOfRange(batches, 40, 50));
  }

  @Test
  void epochsRoundTripAndAreShared() {
    Epoch.Interner interner = new Epoch.Interner();
    Epoch[] epochs = {new Epoch(0, new long[] {1, 2}, 1), new Epoch(3, new long[] {5}, 0)};
    Epoch[] a = Codec.epochs(Codec.epochs(epochs), interner);
    Epoch[] b = Codec.epochs(Codec.epochs(epochs), interner);
    assertThat(a).containsExactly(epochs);
    assertThat(a[0]).isSameAs(b[0]);
    assertThat(a[0].isLost(0)).isTrue();
    assertThat(a[0].isLost(1)).isFalse();
  }

  @Test
  void corruptValuesFailWithInternal() {
    byte[] good = Codec.epochs(new Epoch[] {new Epoch(0, new long[] {1, 2}, 0)});
    assertCode(ErrorCode.INTERNAL,
        () -> Codec.epochs(Arrays.copyOf(good, good.length - 2), new Epoch.Interner()));
    byte[] otherVersion = good.clone();
    otherVersion[0] = 9;
    assertCode(ErrorCode.INTERNAL, () -> Codec.epochs(otherVersion, new Epoch.Interner()));
    assertCode(ErrorCode.INTERNAL, () -> new Codec.Commit(new byte[] {1, (byte) 0x80}));
    assertCode(ErrorCode.INTERNAL, () -> new Bytes.Reader(new byte[] {(byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}).varLong());
  }

  @Test
  void applicationKeysNeverShareAPrefix() {
    byte[] ab = Keys.appPrefix(Keys.SHUFFLE, "ab");
    byte[] abc = Keys.shuffle("abc", 0);
    assertThat(Arrays.equals(abc, 0, ab.length, ab, 0, ab.length)).isFalse();
    byte[] k = Keys.commit("app-1", 7, 99);
    assertThat(Keys.appOf(k)).isEqualTo("app-1");
    assertThat(Keys.shuffleOf(k)).isEqualTo(7);
    assertThat(Keys.indexOf(k)).isEqualTo(99);
  }

  @Test
  void aCorruptStoreFailsRecoveryClearly() {
    try (StateFixture f = new StateFixture()) {
      f.servers(1);
      f.app("app");
      f.shuffle("app", 0, 1, 2, 1);
      f.store.write(new KvBatch().put(Keys.layout("app", 0, 1), new byte[] {1, 5}));
      f.store.close();
      f.store = RocksKeyValueStore.open(f.dir, false, 8 << 20);
      assertCode(ErrorCode.INTERNAL, () -> MetadataState.open(f.store, f.clock, f.settings));
      // A missing layout is as bad as a garbled one.
      f.store.delete(Keys.layout("app", 0, 1));
      assertCode(ErrorCode.INTERNAL, () -> MetadataState.open(f.store, f.clock, f.settings));
    }
  }

  @Test
  void aStoreOfAnotherSchemaIsRefused() {
    try (StateFixture f = new StateFixture()) {
      f.store.put(Keys.SCHEMA, Bytes.long64(2));
      assertCode(ErrorCode.INTERNAL,
          () -> MetadataState.open(f.store, new ManualClock(), f.settings));
    }
  }
}
