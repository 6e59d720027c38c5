package io.dovetail.examples.terasort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict on summaries alone; {@link TeraSortLocalTest} damages real files. */
class ValidationTest {
  static final long SEED = 3;

  /** Records 0..n-1 as 100-byte arrays. */
  static List<byte[]> records(int n) {
    List<byte[]> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(TeraRecords.generate(SEED, i));
    }
    return list;
  }

  static List<byte[]> sorted(List<byte[]> records) {
    List<byte[]> s = new ArrayList<>(records);
    s.sort(Comparator.comparing(r -> Arrays.copyOf(r, TeraRecords.KEY_SIZE),
        new KeyComparator()));
    return s;
  }

  static PartitionSummary summary(int partition, List<byte[]> records) {
    PartitionSummary.Builder b = new PartitionSummary.Builder(partition);
    for (byte[] r : records) {
      b.add(Arrays.copyOf(r, TeraRecords.KEY_SIZE),
          Arrays.copyOfRange(r, TeraRecords.KEY_SIZE, TeraRecords.RECORD_SIZE));
    }
    return b.build();
  }

  /** {@code records} cut into {@code n} consecutive partitions. */
  static List<PartitionSummary> partitioned(List<byte[]> records, int n) {
    List<PartitionSummary> out = new ArrayList<>();
    for (int p = 0; p < n; p++) {
      out.add(summary(p, records.subList(p * records.size() / n, (p + 1) * records.size() / n)));
    }
    return out;
  }

  final List<byte[]> input = records(1000);
  final List<PartitionSummary> inputSummaries = partitioned(input, 3);

  @Test
  void aCorrectSortPasses() {
    Validation.Result r = check(partitioned(sorted(input), 4));
    assertThat(r.problems()).isEmpty();
    assertThat(r.ok()).isTrue();
    assertThat(r.outputRecords()).isEqualTo(1000);
    assertThat(r.outputChecksum()).isEqualTo(r.inputChecksum());
  }

  @Test
  void anUnsortedPartitionFails() {
    List<byte[]> out = new ArrayList<>(sorted(input));
    java.util.Collections.swap(out, 10, 11);
    Validation.Result r = check(partitioned(out, 4));
    assertThat(r.ok()).isFalse();
    assertThat(r.problems()).singleElement().asString()
        .contains("output partition 0 is not sorted: record 11");
  }

  @Test
  void partitionsOutOfOrderFail() {
    List<PartitionSummary> out = partitioned(sorted(input), 4);
    List<byte[]> s = sorted(input);
    // Partition contents swapped, names kept: each file is sorted, the sequence is not.
    List<PartitionSummary> swapped = List.of(out.get(0), summary(1, s.subList(500, 750)),
        summary(2, s.subList(250, 500)), out.get(3));
    Validation.Result r = check(swapped);
    assertThat(r.problems())
        .anyMatch(p -> p.contains("output partitions 1 and 2 are out of order"));
  }

  @Test
  void aMissingRecordFails() {
    List<byte[]> out = new ArrayList<>(sorted(input));
    out.remove(500);
    Validation.Result r = check(partitioned(out, 4));
    assertThat(r.problems()).contains("output has 999 records, input has 1000")
        .anyMatch(p -> p.startsWith("output checksum"));
  }

  @Test
  void aDuplicatedRecordFails() {
    List<byte[]> out = new ArrayList<>(sorted(input));
    out.add(500, out.get(500));
    Validation.Result r = check(partitioned(out, 4));
    assertThat(r.problems()).contains("output has 1001 records, input has 1000");
  }

  @Test
  void aRecordReplacedByADuplicateFailsOnTheChecksumAlone() {
    List<byte[]> out = new ArrayList<>(sorted(input));
    out.set(501, out.get(500));
    Validation.Result r = check(partitioned(out, 4));
    assertThat(r.problems()).singleElement().asString().startsWith("output checksum");
  }

  @Test
  void aChangedValueFails() {
    List<byte[]> out = new ArrayList<>(sorted(input));
    byte[] changed = out.get(42).clone();
    changed[TeraRecords.RECORD_SIZE - 1] ^= 1;
    out.set(42, changed);
    Validation.Result r = check(partitioned(out, 4));
    assertThat(r.problems()).singleElement().asString().startsWith("output checksum");
  }

  @Test
  void aMissingPartitionFileFails() {
    List<PartitionSummary> out = new ArrayList<>(partitioned(sorted(input), 4));
    out.remove(2);
    Validation.Result r = check(out);
    assertThat(r.problems()).anyMatch(p -> p.contains("output partition 2 is missing"))
        .anyMatch(p -> p.contains("input has 1000"));
  }

  @Test
  void emptyPartitionsAreAllowedAndAnEmptyOutputIsNot() {
    List<PartitionSummary> out = new ArrayList<>();
    out.add(summary(0, List.of()));
    out.add(summary(1, sorted(input)));
    out.add(summary(2, List.of()));
    assertThat(check(out).ok()).isTrue();
    assertThat(check(List.of()).problems()).containsExactly(
        "output has 0 records, input has 1000",
        "output checksum 0 differs from input checksum "
            + Long.toHexString(check(out).inputChecksum())
            + ": records were lost, duplicated or changed");
  }

  @Test
  void anOutputWithoutMarkerOrWithFewerFilesThanItsMarkerSaysFails() {
    List<PartitionSummary> out = partitioned(sorted(input), 4);
    assertThat(Validation.check(inputSummaries, out, -1).problems()).singleElement().asString()
        .contains("no _SUCCESS marker");
    assertThat(Validation.check(inputSummaries, out, 5).problems()).singleElement().asString()
        .isEqualTo("output should have 5 partition files, found 4");
  }

  /** Validates {@code output} as complete (its marker matching its file count). */
  Validation.Result check(List<PartitionSummary> output) {
    return Validation.check(inputSummaries, output, output.size());
  }
}
