package io.dovetail.cli.bench;

import java.util.List;

/**
 * The four applications of the elastic-executor benchmark: the skewed-tail job through Spark's
 * built-in shuffle (with shuffle tracking, which dynamic allocation needs without an external
 * shuffle service) and through Dovetail, each once undisturbed and once with an idle executor
 * that holds map output killed while only the skewed partition is left running.
 */
public enum ElasticCase {
  BUILTIN("builtin", "Spark built-in", false, false),
  DOVETAIL("dovetail", "Dovetail", true, false),
  BUILTIN_KILL("builtin-kill", "Spark built-in, executor killed", false, true),
  DOVETAIL_KILL("dovetail-kill", "Dovetail, executor killed", true, true);

  private final String label;
  private final String title;
  private final boolean dovetail;
  private final boolean kill;

  ElasticCase(String label, String title, boolean dovetail, boolean kill) {
    this.label = label;
    this.title = title;
    this.dovetail = dovetail;
    this.kill = kill;
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

  public boolean kill() {
    return kill;
  }

  /** The same job through the other shuffle. */
  public ElasticCase counterpart() {
    return switch (this) {
      case BUILTIN -> DOVETAIL;
      case DOVETAIL -> BUILTIN;
      case BUILTIN_KILL -> DOVETAIL_KILL;
      case DOVETAIL_KILL -> BUILTIN_KILL;
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
