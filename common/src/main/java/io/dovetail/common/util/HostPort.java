package io.dovetail.common.util;

import java.util.Objects;

/** A host and port. Immutable. */
public record HostPort(String host, int port) {
  public HostPort {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** Parses "host:port". */
  public static HostPort parse(String text) {
    int i = text.lastIndexOf(':');
    if (i <= 0 || i == text.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got '" + text + "'");
    }
    try {
      return new HostPort(text.substring(0, i), Integer.parseInt(text.substring(i + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected host:port, got '" + text + "'", e);
    }
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
