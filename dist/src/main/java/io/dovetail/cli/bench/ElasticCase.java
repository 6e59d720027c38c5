package io.dovetail.cli.bench;

import java.util.List;

/**
 * The applications of the elastic-executor benchmark: the skewed-tail job through Spark's
 * built-in shuffle (with shuffle tracking, which dynamic allocation needs without an external
 * shuffle service) and through Dovetail, each undisturbed and with an executor killed at one of
 * two moments ({@link Kill}).
 */
public enum ElasticCase {
  BUILTIN("builtin", "Spark built-in", false, Kill.NONE),
  DOVETAIL("dovetail", "Dovetail", true, Kill.NONE),
  BUILTIN_KILL("builtin-kill", "Spark built-in, executor killed", false, Kill.IDLE_IN_TAIL),
  DOVETAIL_KILL("dovetail-kill", "Dovetail, executor killed", true, Kill.IDLE_IN_TAIL),
  BUILTIN_KILL_WRITER("builtin-kill-writer", "Spark built-in, tail's executor killed", false,
      Kill.TAIL_WRITER),
  DOVETAIL_KILL_WRITER("dovetail-kill-writer", "Dovetail, tail's executor killed", true,
      Kill.TAIL_WRITER);

  /** Which executor is killed, and when. */
  public enum Kill {
    /** None. */
    NONE("", ""),
    /**
     * As soon as only the skewed partition is left running: the idle executor (not the tail's)
     * that wrote the most map outputs. What it lost the tail does not wait for.
     */
    IDLE_IN_TAIL("tail-alone", "an idle executor holding map output, as soon as only the skewed "
        + "partition is left running"),
    /**
     * As soon as the skewed stage is done: the executor that ran the skewed partition, holding
     * the job's largest map output, which the final stage is about to read.
     */
    TAIL_WRITER("tail-done", "the executor that ran the skewed partition, as soon as the skewed "
        + "stage is done");

    private final String moment;
    private final String description;

    Kill(String moment, String description) {
      this.moment = moment;
      this.description = description;
    }

    /** The job's announcement this kill acts on ({@link ExecutorKiller#parse}). */
    public String moment() {
      return moment;
    }

    /** Which executor and when, for the report. */
    public String description() {
      return description;
    }
  }

  private final String label;
  private final String title;
  private final boolean dovetail;
  private final Kill killAt;

  ElasticCase(String label, String title, boolean dovetail, Kill killAt) {
    this.label = label;
    this.title = title;
    this.dovetail = dovetail;
    this.killAt = killAt;
  }

  /** Short name for files, the CSV and {@code --cases}. */
  public String label() {
    return label;
  }

  public String title() {
    return title;
  }

  public boolean dovetail() {
    return dovetail;
  }

  /** True if an executor is killed in this case. */
  public boolean kill() {
    return killAt != Kill.NONE;
  }

  public Kill killAt() {
    return killAt;
  }

  /** The same job through the other shuffle. */
  public ElasticCase counterpart() {
    return switch (this) {
      case BUILTIN -> DOVETAIL;
      case DOVETAIL -> BUILTIN;
      case BUILTIN_KILL -> DOVETAIL_KILL;
      case DOVETAIL_KILL -> BUILTIN_KILL;
      case BUILTIN_KILL_WRITER -> DOVETAIL_KILL_WRITER;
      case DOVETAIL_KILL_WRITER -> BUILTIN_KILL_WRITER;
    };
  }

  /** The case named {@code label}. */
  public static ElasticCase of(String label) {
    for (ElasticCase c : values()) {
      if (c.label.equals(label)) {
        return c;
      }
    }
    throw new IllegalArgumentException("no case '" + label + "'; the cases are "
        + String.join(", ", List.of(values()).stream().map(ElasticCase::label).toList()));
  }

  /**
   * The order of repetition {@code rep} (from 1) over {@code cases}: as given in odd
   * repetitions; in even ones each built-in/Dovetail pair swapped, so neither shuffle always
   * runs first on a machine that warms up or is shared.
   */
  public static List<ElasticCase> order(List<ElasticCase> cases, int rep) {
    if (rep % 2 == 1) {
      return cases;
    }
    List<ElasticCase> out = new java.util.ArrayList<>(cases);
    for (int i = 0; i + 1 < out.size(); i++) {
      if (out.get(i + 1) == out.get(i).counterpart()) {
        java.util.Collections.swap(out, i, i + 1);
        i++;
      }
    }
    return out;
  }
}
