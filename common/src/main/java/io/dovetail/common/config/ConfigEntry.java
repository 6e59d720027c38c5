package io.dovetail.common.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key: its name, type, default, documentation and validator. Immutable and
 * thread-safe.
 *
 * @param <T> the value type
 */
public final class ConfigEntry<T> {
  private final String key;
  private final String typeName;
  private final T defaultValue;
  private final String defaultText;
  private final String doc;
  private final Function<String, T> parser;
  private final Predicate<T> validator;
  private final String validatorMessage;
  private final boolean secret;

  private ConfigEntry(Builder b, Function<String, T> parser, String typeName, T defaultValue,
      String defaultText, Predicate<T> validator, String validatorMessage) {
    this.key = b.key;
    this.doc = b.doc;
    this.parser = parser;
    this.typeName = typeName;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.validator = validator;
    this.validatorMessage = validatorMessage;
    this.secret = b.secret;
  }

  public String key() {
    return key;
  }

  public String typeName() {
    return typeName;
  }

  /** The default value; {@code null} for an optional entry without one. */
  public T defaultValue() {
    return defaultValue;
  }

  /** The default as written in documentation and configuration templates. */
  public String defaultText() {
    return defaultText;
  }

  public String doc() {
    return doc;
  }

  /** True for a password or secret: its value never appears in an error message. */
  public boolean isSecret() {
    return secret;
  }

  /** Parses and validates {@code text}, naming this key (and not a secret's value) in any error. */
  public T parse(String text) {
    String shown = secret ? "(hidden, " + text.length() + " characters)" : "'" + text + "'";
    T value;
    try {
      value = parser.apply(text.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Invalid value " + shown + " for " + key + " (expected "
          + typeName + ")" + (secret ? "" : ": " + e.getMessage()), secret ? null : e);
    }
    boolean valid;
    try {
      valid = validator == null || validator.test(value);
    } catch (RuntimeException e) {
      valid = false; // a check that overflows on an extreme value: invalid, and said so below
    }
    if (!valid) {
      throw new IllegalArgumentException(
          "Invalid value " + shown + " for " + key + ": " + validatorMessage);
    }
    return value;
  }

  /** Short for {@code conf.get(this)}. */
  public T get(DovetailConf conf) {
    return conf.get(this);
  }

  @Override
  public String toString() {
    return key + "=" + defaultText;
  }

  public static Builder builder(String key) {
    return new Builder(key);
  }

  /** Builds a {@link ConfigEntry}; pick a type, then call {@code createWithDefault}. */
  public static final class Builder {
    private final String key;
    private String doc = "";
    private boolean secret;

    private Builder(String key) {
      this.key = Objects.requireNonNull(key);
      if (!key.startsWith("dovetail.")) {
        throw new IllegalArgumentException("configuration keys start with 'dovetail.': " + key);
      }
    }

    public Builder doc(String doc) {
      this.doc = doc;
      return this;
    }

    /** A password or secret: error messages leave its value out. */
    public Builder secret() {
      this.secret = true;
      return this;
    }

    public Typed<String> stringConf() {
      return new Typed<>(this, s -> s, "string", s -> s);
    }

    public Typed<Integer> intConf() {
      return new Typed<>(this, Integer::parseInt, "int", String::valueOf);
    }

    public Typed<Long> longConf() {
      return new Typed<>(this, Long::parseLong, "long", String::valueOf);
    }

    public Typed<Double> doubleConf() {
      return new Typed<>(this, Double::parseDouble, "double", String::valueOf);
    }

    public Typed<Boolean> booleanConf() {
      return new Typed<>(this, ConfigEntry::parseBoolean, "boolean", String::valueOf);
    }

    /** A size in bytes; accepts suffixes b, k, m, g, t (binary units). */
    public Typed<Long> bytesConf() {
      return new Typed<>(this, Sizes::parseBytes, "bytes", Sizes::formatBytes);
    }

    /** A duration; accepts suffixes ms, s, m, h, d, or a plain number of milliseconds. */
    public Typed<Duration> durationConf() {
      return new Typed<>(this, Sizes::parseDuration, "duration", Sizes::formatDuration);
    }

    /** A comma-separated list; blanks are dropped. */
    public Typed<List<String>> listConf() {
      return new Typed<>(this, ConfigEntry::parseList, "list", l -> String.join(",", l));
    }
  }

  /** A builder with its type chosen. */
  public static final class Typed<T> {
    private final Builder builder;
    private final Function<String, T> parser;
    private final String typeName;
    private final Function<T, String> formatter;
    private Predicate<T> validator;
    private String validatorMessage;

    private Typed(Builder builder, Function<String, T> parser, String typeName,
        Function<T, String> formatter) {
      this.builder = builder;
      this.parser = parser;
      this.typeName = typeName;
      this.formatter = formatter;
    }

    public Typed<T> checkValue(Predicate<T> validator, String message) {
      Predicate<T> previous = this.validator;
      this.validator = previous == null ? validator : previous.and(validator);
      this.validatorMessage =
          this.validatorMessage == null ? message : this.validatorMessage + "; " + message;
      return this;
    }

    public ConfigEntry<T> createWithDefault(T defaultValue) {
      Objects.requireNonNull(defaultValue, "use createOptional() for entries without a default");
      ConfigEntry<T> entry = new ConfigEntry<>(builder, parser, typeName, defaultValue,
          formatter.apply(defaultValue), validator, validatorMessage);
      if (validator != null && !validator.test(defaultValue)) {
        throw new IllegalArgumentException("default of " + builder.key + " is invalid");
      }
      return entry;
    }

    /** An entry with no default: {@link DovetailConf#get} returns {@code null} when unset. */
    public ConfigEntry<T> createOptional() {
      return new ConfigEntry<>(builder, parser, typeName, null, "(none)", validator,
          validatorMessage);
    }
  }

  private static boolean parseBoolean(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "1":
        return true;
      case "false":
      case "no":
      case "0":
        return false;
      default:
        throw new IllegalArgumentException("not a boolean");
    }
  }

  private static List<String> parseList(String s) {
    return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }
}
