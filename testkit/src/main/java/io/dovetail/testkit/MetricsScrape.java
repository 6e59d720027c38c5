package io.dovetail.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scrape of a Prometheus endpoint in the text format, as series (the metric name with its
 * labels exactly as served, e.g. {@code x_total{code="NONE"}}) to values. Immutable.
 */
public final class MetricsScrape {
  private final String text;
  private final Map<String, Double> series;

  private MetricsScrape(String text, Map<String, Double> series) {
    this.text = text;
    this.series = series;
  }

  /** GETs {@code http://127.0.0.1:port/metrics} and parses it. */
  public static MetricsScrape of(int port) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .header("Accept", "text/plain; version=0.0.4").timeout(Duration.ofSeconds(30)).build();
    try {
      HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        throw new IllegalStateException("GET /metrics answered " + resp.statusCode());
      }
      return parse(resp.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static MetricsScrape parse(String text) {
    Map<String, Double> series = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int cut = line.lastIndexOf(' ');
      series.put(line.substring(0, cut).trim(), Double.parseDouble(line.substring(cut + 1)));
    }
    return new MetricsScrape(text, series);
  }

  /** The value of {@code series}; fails naming it when the scrape has none. */
  public double value(String series) {
    Double v = this.series.get(series);
    if (v == null) {
      throw new AssertionError("no series " + series + " in the scrape:\n" + text);
    }
    return v;
  }

  /** The value of {@code series}, or {@code otherwise} when the scrape has none. */
  public double valueOr(String series, double otherwise) {
    return this.series.getOrDefault(series, otherwise);
  }

  public boolean has(String series) {
    return this.series.containsKey(series);
  }

  /** The whole text served. */
  public String text() {
    return text;
  }
}
