package io.dovetail.tpcds;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Spark sessions for the benchmark: identical but for the shuffle manager.
 *
 * <p>Every socket stays on loopback. On a master other than {@code local[...]} the executors get
 * the jars of this class path they need and cannot have from Spark: the TPC-DS module, the
 * generator and the shaded Dovetail plugin ({@code spark.jars}).
 *
 * <p>Thread-safe: stateless.
 */
public final class Sessions {
  /** The class Spark loads as its shuffle manager to use Dovetail. */
  public static final String DOVETAIL_MANAGER =
      "org.apache.spark.shuffle.dovetail.DovetailShuffleManager";

  private Sessions() {}

  /** The two shuffles compared. */
  public enum Shuffle {
    BUILT_IN("built-in"),
    DOVETAIL("dovetail");

    private final String label;

    Shuffle(String label) {
      this.label = label;
    }

    /** {@code built-in} or {@code dovetail}: file names, logs and reports. */
    public String label() {
      return label;
    }

    /** The shuffle of {@code label}. */
    public static Shuffle of(String label) {
      for (Shuffle s : values()) {
        if (s.label.equalsIgnoreCase(label) || s.name().equalsIgnoreCase(label)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown shuffle " + label + " (built-in or dovetail)");
    }
  }

  /** A new session with {@code shuffle} on {@code master}; {@code conf} is applied last. */
  public static SparkSession create(Shuffle shuffle, String master, Map<String, String> conf) {
    SparkSession.Builder b = SparkSession.builder()
        .master(master)
        .appName("tpcds-" + shuffle.label())
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        // The TPC-DS texts assume SQL's lenient arithmetic: at small scale factors some divisors
        // are zero (q12, q90), which ANSI mode, Spark 4's default, turns into an error.
        .config("spark.sql.ansi.enabled", "false");
    if (shuffle == Shuffle.DOVETAIL) {
      b.config("spark.shuffle.manager", DOVETAIL_MANAGER);
    }
    if (!master.toLowerCase(Locale.ROOT).startsWith("local")) {
      String jars = String.join(",", executorJars());
      if (!jars.isEmpty()) {
        b.config("spark.jars", jars);
      }
    }
    conf.forEach(b::config);
    return b.getOrCreate();
  }

  private static List<String> executorJars() {
    List<String> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = new File(entry).getName();
      if (name.endsWith(".jar") && (name.startsWith("dovetail-tpcds-")
          || name.startsWith("tpcds-") || (name.startsWith("dovetail-spark-")
          && name.endsWith("-shaded.jar")))) {
        jars.add(new File(entry).getAbsolutePath());
      }
    }
    return jars;
  }
}
