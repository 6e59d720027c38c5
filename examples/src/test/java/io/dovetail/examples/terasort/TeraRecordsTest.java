package io.dovetail.examples.terasort;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TeraRecordsTest {

  @Test
  void generationIsAPureFunctionOfSeedAndIndex() {
    assertThat(TeraRecords.generate(7, 12345)).isEqualTo(TeraRecords.generate(7, 12345));
    assertThat(TeraRecords.generate(7, 12345)).isNotEqualTo(TeraRecords.generate(8, 12345));
    assertThat(TeraRecords.generate(7, 12345)).hasSize(TeraRecords.RECORD_SIZE);
  }

  @Test
  void keysAreDistinctAndValuesNameTheirIndex() {
    Set<String> keys = new HashSet<>();
    for (long i = 0; i < 10_000; i++) {
      byte[] r = TeraRecords.generate(1, i);
      keys.add(TeraRecords.hex(java.util.Arrays.copyOf(r, TeraRecords.KEY_SIZE)));
    }
    assertThat(keys).hasSize(10_000);
    byte[] r = TeraRecords.generate(1, 0xABCL);
    assertThat(new String(r, TeraRecords.KEY_SIZE, 16, StandardCharsets.US_ASCII))
        .isEqualTo("0000000000000ABC");
  }

  @Test
  void keysCompareAsUnsignedBytes() {
    byte[] low = new byte[TeraRecords.KEY_SIZE];
    byte[] high = new byte[TeraRecords.KEY_SIZE];
    low[0] = 0x01;
    high[0] = (byte) 0xF0;
    assertThat(TeraRecords.compareKeys(low, high)).isNegative();
    assertThat(new KeyComparator().compare(high, low)).isPositive();
    assertThat(TeraRecords.compareKeys(low, low.clone())).isZero();
  }

  @Test
  void splitPointsRangePartitionKeys() {
    byte[] a = key(0x40);
    byte[] b = key(0x80);
    SplitPointPartitioner p = new SplitPointPartitioner(new byte[][] {a, b});
    assertThat(p.numPartitions()).isEqualTo(3);
    assertThat(p.getPartition(key(0x00))).isZero();
    assertThat(p.getPartition(key(0x40))).isEqualTo(1);
    assertThat(p.getPartition(key(0x7F))).isEqualTo(1);
    assertThat(p.getPartition(key(0x80))).isEqualTo(2);
    assertThat(p.getPartition(key(0xFF))).isEqualTo(2);
    assertThat(p).isEqualTo(new SplitPointPartitioner(new byte[][] {key(0x40), key(0x80)}));
  }

  static byte[] key(int first) {
    byte[] k = new byte[TeraRecords.KEY_SIZE];
    k[0] = (byte) first;
    return k;
  }
}
