package io.dovetail.common.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Renders every registered configuration entry as the Markdown reference kept in README.md
 * between {@link #BEGIN_MARKER} and {@link #END_MARKER}, and as a properties template.
 */
public final class ConfigReference {
  public static final String BEGIN_MARKER = "<!-- config-reference:begin -->";
  public static final String END_MARKER = "<!-- config-reference:end -->";

  private ConfigReference() {}

  /** All providers on the class path, in reference order. */
  public static List<ConfigEntryProvider> providers() {
    List<ConfigEntryProvider> list = new ArrayList<>();
    // This class's loader, not the thread's: a Spark driver thread's context loader may not
    // see the plugin's jar.
    ServiceLoader.load(ConfigEntryProvider.class, ConfigReference.class.getClassLoader())
        .forEach(list::add);
    list.sort(Comparator.comparingInt(ConfigEntryProvider::order)
        .thenComparing(ConfigEntryProvider::group));
    return list;
  }

  /**
   * Every group of keys Dovetail has: the second segment of {@code dovetail.<group>.<name>}. A key
   * outside them is a typo whichever process reads it.
   */
  public static final java.util.Set<String> GROUPS = java.util.Set.of("app", "auth", "client",
      "embedded", "executor", "metadata", "rpc", "shuffle", "sql", "storage", "tls", "transport",
      "writer");
  /** Groups every process knows all keys of (the common entries). */
  private static final java.util.Set<String> COMMON_GROUPS =
      java.util.Set.of("auth", "rpc", "tls", "transport");

  /**
   * Refuses keys of {@code conf} that no entry on the class path has and that are typos rather
   * than another process's keys (a configuration file may be shared): keys outside every
   * {@link #GROUPS group}, and unknown keys of {@code ownGroups} or of the common groups.
   *
   * @param own the process's own entries: known even where the service files are incomplete
   * @throws IllegalArgumentException naming the first such key
   */
  public static void checkKeys(DovetailConf conf, java.util.Set<String> ownGroups,
      ConfigEntryProvider own) {
    java.util.Set<String> known = new java.util.HashSet<>();
    List<ConfigEntryProvider> all = new ArrayList<>(providers());
    all.add(own);
    all.add(new CommonConfig());
    for (ConfigEntryProvider p : all) {
      for (ConfigEntry<?> e : p.entries()) {
        known.add(e.key());
      }
    }
    for (String key : conf.toMap().keySet()) {
      if (known.contains(key) || !key.startsWith("dovetail.")) {
        continue;
      }
      int dot = key.indexOf('.', "dovetail.".length());
      String group = dot < 0 ? "" : key.substring("dovetail.".length(), dot);
      if (!GROUPS.contains(group) || ownGroups.contains(group) || COMMON_GROUPS.contains(group)) {
        throw new IllegalArgumentException("unknown configuration key " + key);
      }
    }
  }

  public static String markdown(List<ConfigEntryProvider> providers) {
    StringBuilder sb = new StringBuilder();
    for (ConfigEntryProvider p : providers) {
      sb.append("#### ").append(p.group()).append("\n\n");
      sb.append("| Key | Default | Meaning |\n|---|---|---|\n");
      for (ConfigEntry<?> e : p.entries()) {
        String def = e.defaultText().isEmpty() ? "(empty)" : "`" + e.defaultText() + "`";
        sb.append("| `").append(e.key()).append("` | ").append(def).append(" | ")
            .append(e.doc().replace("|", "\\|").replace("\n", " ")).append(" |\n");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** A commented properties template with every key at its default. */
  public static String propertiesTemplate(List<ConfigEntryProvider> providers) {
    StringBuilder sb = new StringBuilder();
    for (ConfigEntryProvider p : providers) {
      sb.append("# ---- ").append(p.group()).append(" ----\n\n");
      for (ConfigEntry<?> e : p.entries()) {
        sb.append("# ").append(e.doc().replace("\n", "\n# ")).append('\n');
        String value = e.defaultValue() == null ? "" : e.defaultText();
        sb.append("#").append(e.key()).append('=').append(value).append("\n\n");
      }
    }
    return sb.toString();
  }

  /** Replaces the text between the markers of {@code document} with {@code reference}. */
  public static String splice(String document, String reference) {
    int begin = document.indexOf(BEGIN_MARKER);
    int end = document.indexOf(END_MARKER);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("document has no configuration reference markers");
    }
    return document.substring(0, begin + BEGIN_MARKER.length()) + "\n" + reference
        + document.substring(end);
  }

  /** Prints the Markdown reference of every provider on the class path. */
  public static void main(String[] args) {
    System.out.print(markdown(providers()));
  }
}
