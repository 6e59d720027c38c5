package io.dovetail.metadata.store.rocksdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.store.KvBatch;
import io.dovetail.testkit.TestDirs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RocksKeyValueStoreTest {
  private Path dir;
  private RocksKeyValueStore store;

  @BeforeEach
  void open() {
    dir = TestDirs.create("kv");
    store = RocksKeyValueStore.open(dir, false, 8 << 20);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private List<String> keys(byte[] from, byte[] to) {
    List<String> out = new ArrayList<>();
    store.scan(from, to, (k, v) -> out.add(new String(k, UTF_8) + "=" + new String(v, UTF_8)));
    return out;
  }

  @Test
  void putGetDelete() {
    assertThat(store.get(b("a"))).isNull();
    store.put(b("a"), b("1"));
    assertThat(store.get(b("a"))).isEqualTo(b("1"));
    store.put(b("a"), b("2"));
    assertThat(store.get(b("a"))).isEqualTo(b("2"));
    store.delete(b("a"));
    assertThat(store.get(b("a"))).isNull();
  }

  @Test
  void batchAppliesAllOperationsInOrder() {
    store.put(b("p/1"), b("x"));
    store.put(b("p/2"), b("x"));
    store.put(b("q/1"), b("x"));
    KvBatch batch = new KvBatch()
        .deletePrefix(b("p/"))
        .put(b("p/3"), b("new"))
        .delete(b("q/1"))
        .put(b("r"), b("r"));
    store.write(batch);
    assertThat(keys(b("a"), b("z"))).containsExactly("p/3=new", "r=r");
  }

  @Test
  void scanIsOrderedBoundedAndStoppable() {
    for (String k : List.of("k3", "k1", "k2", "k10", "l")) {
      store.put(b(k), b(k));
    }
    assertThat(keys(b("k"), b("l"))).containsExactly("k1=k1", "k10=k10", "k2=k2", "k3=k3");
    List<String> firstTwo = new ArrayList<>();
    store.scanPrefix(b("k"), (k, v) -> {
      firstTwo.add(new String(k, UTF_8));
      return firstTwo.size() < 2;
    });
    assertThat(firstTwo).containsExactly("k1", "k10");
  }

  @Test
  void scanComparesBytesUnsigned() {
    store.put(new byte[] {1, (byte) 0x80}, b("high"));
    store.put(new byte[] {1, 0x01}, b("low"));
    List<String> values = new ArrayList<>();
    store.scanPrefix(new byte[] {1}, (k, v) -> values.add(new String(v, UTF_8)));
    assertThat(values).containsExactly("low", "high");
  }

  @Test
  void survivesReopen() {
    store.write(new KvBatch().put(b("a"), b("1")).put(b("b"), b("2")));
    store.close();
    store = RocksKeyValueStore.open(dir, true, 8 << 20);
    assertThat(keys(b("a"), b("c"))).containsExactly("a=1", "b=2");
  }

  @Test
  void secondOpenOfTheSameDirectoryFailsClearly() {
    assertThatThrownBy(() -> RocksKeyValueStore.open(dir, false, 8 << 20))
        .isInstanceOf(DovetailException.class)
        .hasMessageContaining("another metadata server")
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.STORAGE_IO_ERROR));
  }

  @Test
  void callsAfterCloseFailWithUnavailableAndCloseIsIdempotent() {
    store.close();
    store.close();
    assertThatThrownBy(() -> store.get(b("a")))
        .isInstanceOf(DovetailException.class)
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.UNAVAILABLE));
    assertThatThrownBy(() -> store.write(new KvBatch().put(b("a"), b("1"))))
        .isInstanceOf(DovetailException.class);
  }

  @Test
  void prefixEnd() {
    assertThat(KvBatch.prefixEnd(new byte[] {1, 2})).containsExactly(1, 3);
    assertThat(KvBatch.prefixEnd(new byte[] {1, (byte) 0xFF})).containsExactly(2);
    assertThat(KvBatch.prefixEnd(new byte[] {(byte) 0xFF})).isNull();
    assertThat(KvBatch.prefixEnd(new byte[0])).isNull();
  }
}
