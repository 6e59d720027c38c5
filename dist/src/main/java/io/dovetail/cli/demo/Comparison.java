package io.dovetail.cli.demo;

import io.dovetail.cli.format.TextTable;
import io.dovetail.cli.format.Units;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The demo's result: a table with one column per run (wall times, shuffle bytes and records,
 * records sorted, the verdict) and the same numbers as a PNG of two bar charts, wall time and
 * shuffle data. Stateless.
 */
public final class Comparison {
  static final int PANEL_WIDTH = 560;
  static final int PANEL_HEIGHT = 420;
  static final int TITLE_HEIGHT = 44;
  static final Color[] SERIES_COLORS = {new Color(0x1f77b4), new Color(0xff7f0e),
      new Color(0x2ca02c)};

  private Comparison() {}

  /**
   * The comparison table; with two runs, a last column divides the first's values by the
   * second's.
   */
  public static String table(List<RunReport> runs) {
    boolean ratio = runs.size() == 2;
    String[] header = new String[runs.size() + (ratio ? 2 : 1)];
    header[0] = "";
    for (int i = 0; i < runs.size(); i++) {
      header[i + 1] = ">" + runs.get(i).label();
    }
    if (ratio) {
      header[header.length - 1] = ">" + runs.get(0).label() + " / " + runs.get(1).label();
    }
    TextTable t = new TextTable(header);
    row(t, runs, ratio, "TeraSort wall time", RunReport::sortMillis, Units::seconds, true);
    row(t, runs, ratio, "TeraValidate wall time", RunReport::validateMillis, Units::seconds,
        true);
    row(t, runs, ratio, "Shuffle bytes written", RunReport::shuffleBytesWritten, Units::bytes,
        true);
    row(t, runs, ratio, "Shuffle bytes read", RunReport::shuffleBytesRead, Units::bytes, true);
    row(t, runs, ratio, "Shuffle records written", RunReport::shuffleRecordsWritten,
        Units::count, false);
    row(t, runs, ratio, "Shuffle records read", RunReport::shuffleRecordsRead, Units::count,
        false);
    row(t, runs, ratio, "Records sorted", RunReport::records, Units::count, false);
    Object[] valid = new Object[header.length];
    valid[0] = "Output valid";
    for (int i = 0; i < runs.size(); i++) {
      valid[i + 1] = runs.get(i).valid() ? "yes" : "NO";
    }
    if (ratio) {
      valid[header.length - 1] = "";
    }
    t.row(valid);
    return t.render("  ");
  }

  private static void row(TextTable t, List<RunReport> runs, boolean ratio, String name,
      ToLongFunction<RunReport> value, java.util.function.LongFunction<String> format,
      boolean showRatio) {
    Object[] cells = new Object[runs.size() + (ratio ? 2 : 1)];
    cells[0] = name;
    for (int i = 0; i < runs.size(); i++) {
      cells[i + 1] = format.apply(value.applyAsLong(runs.get(i)));
    }
    if (ratio) {
      long a = value.applyAsLong(runs.get(0));
      long b = value.applyAsLong(runs.get(1));
      cells[cells.length - 1] = showRatio && b > 0
          ? String.format(Locale.ROOT, "%.2fx", (double) a / b) : "";
    }
    t.row(cells);
  }

  /** Writes the chart of {@code runs} to {@code png}. */
  public static void chart(List<RunReport> runs, String title, Path png) throws IOException {
    CategoryChart time = panel("Wall time (lower is better)", "seconds");
    CategoryChart data = panel("Shuffle data", "MiB");
    for (RunReport r : runs) {
      time.addSeries(r.label(), List.of("TeraSort", "TeraValidate"),
          List.of(r.sortMillis() / 1000.0, r.validateMillis() / 1000.0));
      data.addSeries(r.label(), List.of("written", "read"),
          List.of(r.shuffleBytesWritten() / 1048576.0, r.shuffleBytesRead() / 1048576.0));
    }
    png(title, List.of(time, data), png);
  }

  /** Writes {@code panels} side by side under {@code title} to {@code png}. */
  public static void png(String title, List<CategoryChart> panels, Path png) throws IOException {
    BufferedImage image = new BufferedImage(panels.size() * PANEL_WIDTH,
        PANEL_HEIGHT + TITLE_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setColor(Color.DARK_GRAY);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      int w = g.getFontMetrics().stringWidth(title);
      g.drawString(title, (image.getWidth() - w) / 2, 29);
      for (int i = 0; i < panels.size(); i++) {
        Graphics2D area = (Graphics2D) g.create(i * PANEL_WIDTH, TITLE_HEIGHT, PANEL_WIDTH,
            PANEL_HEIGHT);
        panels.get(i).paint(area, PANEL_WIDTH, PANEL_HEIGHT);
        area.dispose();
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer in this Java runtime");
    }
  }

  /** One bar-chart panel in the style of every Dovetail chart. */
  public static CategoryChart panel(String title, String yAxis) {
    CategoryChart c = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
        .title(title).yAxisTitle(yAxis).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setPlotGridVerticalLinesVisible(false);
    c.getStyler().setLabelsVisible(true);
    c.getStyler().setDecimalPattern("#,##0.0");
    c.getStyler().setLabelsPosition(0.98);
    c.getStyler().setLabelsFontColorAutomaticEnabled(false);
    c.getStyler().setLabelsFontColor(Color.WHITE);
    c.getStyler().setSeriesColors(SERIES_COLORS);
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setAvailableSpaceFill(0.7);
    return c;
  }
}
