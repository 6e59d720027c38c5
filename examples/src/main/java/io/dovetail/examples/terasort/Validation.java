package io.dovetail.examples.terasort;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a sorted data set is a correct sort of its input: the output is complete (its
 * marker names as many partitions as there are files), every output partition is sorted,
 * partitions are numbered 0..n-1 without gaps and in key order (the last key of one is
 * at most the first key of the next non-empty one), and the record count and checksum equal the
 * input's, so a lost, duplicated or altered record fails. Stateless and thread-safe.
 */
public final class Validation {
  static final int MAX_PROBLEMS = 20;

  private Validation() {}

  /** The verdict, with at most {@value #MAX_PROBLEMS} problems described. Immutable. */
  public record Result(long inputRecords, long inputChecksum, long outputRecords,
      long outputChecksum, int outputPartitions, List<String> problems) {
    public Result {
      problems = List.copyOf(problems);
    }

    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * Checks {@code output} (in partition order) against the summaries of its {@code input};
   * {@code expectedPartitions} is the count in the output's completion marker, -1 if it has none.
   */
  public static Result check(List<PartitionSummary> input, List<PartitionSummary> output,
      int expectedPartitions) {
    List<String> problems = new ArrayList<>();
    if (expectedPartitions < 0) {
      problem(problems, "output has no " + RecordFiles.MARKER + " marker: the job that wrote it "
          + "did not finish");
    } else if (expectedPartitions != output.size()) {
      problem(problems, "output should have " + expectedPartitions + " partition files, found "
          + output.size());
    }
    long inRecords = 0;
    long inChecksum = 0;
    for (PartitionSummary s : input) {
      inRecords += s.records();
      inChecksum += s.checksum();
      if (s.partialBytes() > 0) {
        problem(problems, "input partition " + s.partition() + " ends with " + s.partialBytes()
            + " bytes of an incomplete record");
      }
    }
    long outRecords = 0;
    long outChecksum = 0;
    PartitionSummary previous = null;
    for (int i = 0; i < output.size(); i++) {
      PartitionSummary s = output.get(i);
      outRecords += s.records();
      outChecksum += s.checksum();
      if (s.partition() != i) {
        problem(problems, "output partition " + i + " is missing (found partition "
            + s.partition() + " in its place)");
      }
      if (s.firstUnsorted() >= 0) {
        problem(problems, "output partition " + s.partition() + " is not sorted: record "
            + s.firstUnsorted() + " has a smaller key than the record before it");
      }
      if (s.partialBytes() > 0) {
        problem(problems, "output partition " + s.partition() + " ends with "
            + s.partialBytes() + " bytes of an incomplete record");
      }
      if (s.records() == 0) {
        continue;
      }
      if (previous != null
          && TeraRecords.compareKeys(previous.lastKey(), s.firstKey()) > 0) {
        problem(problems, "output partitions " + previous.partition() + " and " + s.partition()
            + " are out of order: last key " + TeraRecords.hex(previous.lastKey())
            + " > first key " + TeraRecords.hex(s.firstKey()));
      }
      previous = s;
    }
    if (outRecords != inRecords) {
      problem(problems, "output has " + outRecords + " records, input has " + inRecords);
    }
    if (outChecksum != inChecksum) {
      problem(problems, "output checksum " + Long.toHexString(outChecksum)
          + " differs from input checksum " + Long.toHexString(inChecksum)
          + ": records were lost, duplicated or changed");
    }
    return new Result(inRecords, inChecksum, outRecords, outChecksum, output.size(), problems);
  }

  private static void problem(List<String> problems, String text) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(text);
    }
  }
}
