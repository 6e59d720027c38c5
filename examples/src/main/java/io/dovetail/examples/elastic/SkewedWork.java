package io.dovetail.examples.elastic;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import scala.Tuple2;

/**
 * The data and the work of {@link SkewedTailJob}, free of Spark so it can be checked without a
 * cluster. Executors load this class to run the job's functions, so it refers to nothing but the
 * JDK and Scala's tuples. Immutable and thread-safe.
 *
 * <p>Records are (key, value) pairs of generated numbers. A key is {@code group * reduces +
 * partition}, so Spark's hash partitioner sends it to {@code partition}: a share {@code skew} of
 * all records goes to partition {@value #TAIL_PARTITION}, the rest spreads evenly over the
 * others. Each record costs {@code mapRounds} rounds of a 64-bit mixing function where it is
 * generated and {@code rounds} rounds where it is reduced, so a partition's work is proportional
 * to its records.
 *
 * @param records records in all
 * @param maps tasks of the first (map) stage
 * @param reduces partitions of the skewed stage
 * @param skew share of the records in the skewed partition, in [0, 1)
 * @param mapRounds mixing rounds per record in the map stage
 * @param rounds mixing rounds per record in the skewed stage
 * @param groups distinct groups the skewed stage aggregates into
 * @param seed of the generated records
 */
record SkewedWork(long records, int maps, int reduces, double skew, int mapRounds, int rounds,
    int groups, long seed) implements Serializable {
  static final int TAIL_PARTITION = 0;

  SkewedWork {
    if (records < 1 || maps < 1 || reduces < 2 || groups < 1 || mapRounds < 0 || rounds < 0) {
      throw new IllegalArgumentException("records, maps and groups must be at least 1, reduces "
          + "at least 2, rounds not negative");
    }
    if (!(skew >= 0 && skew < 1)) {
      throw new IllegalArgumentException("skew must be in [0, 1), not " + skew);
    }
  }

  /** splitmix64's finalizer: a cheap bijective mix of 64 bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** {@code rounds} dependent rounds of {@link #mix}: CPU work the JIT cannot skip. */
  static long spin(long v, int rounds) {
    for (int i = 0; i < rounds; i++) {
      v = mix(v + i);
    }
    return v;
  }

  long recordsOf(int map) {
    return records / maps + (map < records % maps ? 1 : 0);
  }

  /** The records of map task {@code map}, generated lazily. */
  Iterator<Tuple2<Integer, Long>> generate(int map) {
    long n = recordsOf(map);
    long base = mix(seed) ^ ((long) map << 40);
    return new Iterator<>() {
      long i;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public Tuple2<Integer, Long> next() {
        if (i >= n) {
          throw new NoSuchElementException();
        }
        long r = mix(base + i++);
        double u = (r >>> 11) * 0x1.0p-53;
        int partition = u < skew ? TAIL_PARTITION
            : 1 + (int) Long.remainderUnsigned(mix(r ^ 0x5851f42d4c957f2dL), reduces - 1);
        int group = (int) Long.remainderUnsigned(mix(r + 1), groups);
        return new Tuple2<>(group * reduces + partition, spin(r, mapRounds));
      }
    };
  }

  /**
   * One partition of the skewed stage: reads all its records first (as a sort or a join would),
   * then spins each one and sums per group. Emits (group, (records, sum)) per group it saw.
   */
  Iterator<Tuple2<Integer, Tuple2<Long, Long>>> reduce(Iterator<Tuple2<Integer, Long>> in) {
    int[] keys = new int[1024];
    long[] values = new long[1024];
    int n = 0;
    while (in.hasNext()) {
      Tuple2<Integer, Long> t = in.next();
      if (n == keys.length) {
        keys = Arrays.copyOf(keys, n * 2);
        values = Arrays.copyOf(values, n * 2);
      }
      keys[n] = t._1();
      values[n] = t._2();
      n++;
    }
    long[] counts = new long[groups];
    long[] sums = new long[groups];
    for (int i = 0; i < n; i++) {
      int g = keys[i] / reduces;
      counts[g]++;
      sums[g] += spin(values[i], rounds);
    }
    List<Tuple2<Integer, Tuple2<Long, Long>>> out = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      if (counts[g] > 0) {
        out.add(new Tuple2<>(g, new Tuple2<>(counts[g], sums[g])));
      }
    }
    return out.iterator();
  }

  /** Adds two (records, sum) pairs. */
  static Tuple2<Long, Long> add(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
    return new Tuple2<>(a._1() + b._1(), a._2() + b._2());
  }

  /** Records counted in the result rows. */
  static long records(List<Tuple2<Integer, Tuple2<Long, Long>>> rows) {
    return rows.stream().mapToLong(t -> t._2()._1()).sum();
  }

  /**
   * A digest of the result, whatever the order of its rows: the first 16 hex digits of the
   * SHA-256 of "group records sum" lines sorted by group.
   */
  static String digest(List<Tuple2<Integer, Tuple2<Long, Long>>> rows) {
    List<Tuple2<Integer, Tuple2<Long, Long>>> sorted = new ArrayList<>(rows);
    sorted.sort((a, b) -> Integer.compare(a._1(), b._1()));
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Tuple2<Integer, Tuple2<Long, Long>> t : sorted) {
        md.update((t._1() + " " + t._2()._1() + " " + t._2()._2() + "\n")
            .getBytes(StandardCharsets.US_ASCII));
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this Java runtime", e);
    }
  }

  /** The result computed in one thread, without Spark: for tests at small sizes. */
  List<Tuple2<Integer, Tuple2<Long, Long>>> expected() {
    List<List<Tuple2<Integer, Long>>> byPartition = new ArrayList<>();
    for (int p = 0; p < reduces; p++) {
      byPartition.add(new ArrayList<>());
    }
    for (int m = 0; m < maps; m++) {
      generate(m).forEachRemaining(t -> byPartition.get(t._1() % reduces).add(t));
    }
    long[] counts = new long[groups];
    long[] sums = new long[groups];
    for (List<Tuple2<Integer, Long>> part : byPartition) {
      reduce(part.iterator()).forEachRemaining(t -> {
        counts[t._1()] += t._2()._1();
        sums[t._1()] += t._2()._2();
      });
    }
    List<Tuple2<Integer, Tuple2<Long, Long>>> out = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      if (counts[g] > 0) {
        out.add(new Tuple2<>(g, new Tuple2<>(counts[g], sums[g])));
      }
    }
    return out;
  }
}
