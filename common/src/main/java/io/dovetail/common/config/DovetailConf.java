package io.dovetail.common.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Configuration values by key. Thread-safe: values may be set and read from any thread, though
 * components read what they need once, at start.
 */
public final class DovetailConf {
  private final Map<String, String> values = new ConcurrentHashMap<>();

  public DovetailConf() {}

  public DovetailConf(Map<String, String> initial) {
    initial.forEach(this::set);
  }

  /** Reads a Java properties file; keys not starting with "dovetail." are ignored. */
  public static DovetailConf fromFile(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    DovetailConf conf = new DovetailConf();
    for (String name : p.stringPropertyNames()) {
      if (name.startsWith("dovetail.")) {
        conf.set(name, p.getProperty(name));
      }
    }
    return conf;
  }

  /**
   * Takes every entry of {@code source} whose key is {@code prefix + "dovetail."...}, with the
   * prefix removed (Spark passes {@code spark.dovetail.*}).
   */
  public static DovetailConf fromPrefixed(Map<String, String> source, String prefix) {
    DovetailConf conf = new DovetailConf();
    source.forEach((k, v) -> {
      if (k.startsWith(prefix + "dovetail.")) {
        conf.set(k.substring(prefix.length()), v);
      }
    });
    return conf;
  }

  public DovetailConf set(String key, String value) {
    if (value == null) {
      values.remove(key);
    } else {
      values.put(key, value);
    }
    return this;
  }

  public <T> DovetailConf set(ConfigEntry<T> entry, String value) {
    entry.parse(value);
    return set(entry.key(), value);
  }

  public DovetailConf setAll(DovetailConf other) {
    values.putAll(other.values);
    return this;
  }

  public boolean contains(ConfigEntry<?> entry) {
    return values.containsKey(entry.key());
  }

  /** The value of {@code entry}, its default when unset; an invalid value names the key. */
  public <T> T get(ConfigEntry<T> entry) {
    String text = values.get(entry.key());
    return text == null ? entry.defaultValue() : entry.parse(text);
  }

  public String getRaw(String key) {
    return values.get(key);
  }

  /** A sorted, read-only copy of all set values. */
  public Map<String, String> toMap() {
    return Collections.unmodifiableMap(new TreeMap<>(values));
  }

  public DovetailConf copy() {
    return new DovetailConf(values);
  }

  @Override
  public String toString() {
    return "DovetailConf" + toMap().keySet();
  }
}
