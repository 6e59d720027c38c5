package io.dovetail.examples;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} command-line arguments of the example jobs (the jar carries no
 * command-line library, so it runs on any Spark class path). Immutable; thread-safe.
 */
public final class Args {
  private final Map<String, String> values;

  private Args(Map<String, String> values) {
    this.values = values;
  }

  /** Parses {@code args}; any name outside {@code known} is an error. */
  public static Args parse(String[] args, String... known) {
    Set<String> names = Set.of(known);
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || !names.contains(a.substring(2)) || i + 1 == args.length) {
        throw new IllegalArgumentException("bad argument '" + a + "'; expected --name value with "
            + "a name among " + names);
      }
      values.put(a.substring(2), args[++i]);
    }
    return new Args(values);
  }

  public String get(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }

  public String get(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  public long longValue(String name) {
    return Long.parseLong(get(name));
  }

  public long longValue(String name, long defaultValue) {
    return values.containsKey(name) ? longValue(name) : defaultValue;
  }

  public int intValue(String name) {
    return Integer.parseInt(get(name));
  }

  public int intValue(String name, int defaultValue) {
    return values.containsKey(name) ? intValue(name) : defaultValue;
  }

  public double doubleValue(String name, double defaultValue) {
    return values.containsKey(name) ? Double.parseDouble(get(name)) : defaultValue;
  }
}
