package io.dovetail.benchmarks.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The formats every benchmark's results are written in: Markdown tables, CSV and PNG bar charts,
 * and the machine's load average they record. Stateless.
 */
public final class Reports {
  /** System property naming the directory the report files go to. */
  public static final String OUT_PROPERTY = "dovetail.bench.out";

  static final int PANEL_WIDTH = 560;
  static final int PANEL_HEIGHT = 420;
  static final int TITLE_HEIGHT = 44;
  static final int PANELS_PER_ROW = 3;
  /** Dovetail's blue, the baseline's orange, as in the demo's and TeraSort's charts. */
  static final Color[] SERIES_COLORS = {new Color(0x1f77b4), new Color(0xff7f0e),
      new Color(0x2ca02c), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2)};

  static {
    // Charts are drawn off-screen: AWT must never look for a display.
    System.setProperty("java.awt.headless", "true");
  }

  private Reports() {}

  /** The directory given by {@value #OUT_PROPERTY}, else {@code defaultDir}. */
  public static Path outputDir(String defaultDir) {
    String dir = System.getProperty(OUT_PROPERTY, "");
    return Path.of(dir.isBlank() ? defaultDir : dir);
  }

  /** The 1, 5 and 15 minute load averages from /proc/loadavg, as "1.52 1.60 2.31", or "unknown". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /**
   * A Markdown table. A header starting with {@code >} is right-aligned (numbers), without the
   * {@code >}. Pipes in cells are escaped and line breaks become spaces.
   */
  public static String markdownTable(List<String> header, List<List<String>> rows) {
    StringBuilder sb = new StringBuilder("|");
    StringBuilder rule = new StringBuilder("|");
    for (String h : header) {
      boolean right = h.startsWith(">");
      sb.append(' ').append(markdownCell(right ? h.substring(1) : h)).append(" |");
      rule.append(right ? "--:|" : "---|");
    }
    sb.append('\n').append(rule).append('\n');
    for (List<String> row : rows) {
      sb.append('|');
      for (String cell : row) {
        sb.append(' ').append(markdownCell(cell)).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String markdownCell(String s) {
    return s.replace("|", "\\|").replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
  }

  /** CSV (RFC 4180) with a header line; every line ends with a line feed. */
  public static String csv(List<String> header, List<List<String>> rows) {
    StringBuilder sb = new StringBuilder();
    csvLine(sb, header);
    for (List<String> row : rows) {
      csvLine(sb, row);
    }
    return sb.toString();
  }

  private static void csvLine(StringBuilder sb, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(csvField(fields.get(i)));
    }
    sb.append('\n');
  }

  /** A field with a comma, quote or line break is quoted, its quotes doubled. */
  static String csvField(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  /** An empty bar-chart panel in the style of every Dovetail chart, the legend below it. */
  public static CategoryChart barPanel(String title, String xAxis, String yAxis) {
    CategoryChart c = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
        .title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setPlotGridVerticalLinesVisible(false);
    c.getStyler().setSeriesColors(SERIES_COLORS);
    c.getStyler().setErrorBarsColor(Color.DARK_GRAY);
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setAvailableSpaceFill(0.7);
    return c;
  }

  /**
   * Writes {@code panels} under {@code title} to {@code png}, {@value #PANELS_PER_ROW} to a row.
   */
  public static void png(Path png, String title, List<CategoryChart> panels) throws IOException {
    if (panels.isEmpty()) {
      throw new IllegalArgumentException("no chart to draw");
    }
    int columns = Math.min(panels.size(), PANELS_PER_ROW);
    int rows = (panels.size() + PANELS_PER_ROW - 1) / PANELS_PER_ROW;
    BufferedImage image = new BufferedImage(columns * PANEL_WIDTH,
        TITLE_HEIGHT + rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setColor(Color.DARK_GRAY);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      int w = g.getFontMetrics().stringWidth(title);
      g.drawString(title, Math.max(8, (image.getWidth() - w) / 2), 28);
      for (int i = 0; i < panels.size(); i++) {
        Graphics2D area = (Graphics2D) g.create((i % PANELS_PER_ROW) * PANEL_WIDTH,
            TITLE_HEIGHT + (i / PANELS_PER_ROW) * PANEL_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT);
        try {
          panels.get(i).paint(area, PANEL_WIDTH, PANEL_HEIGHT);
        } finally {
          area.dispose();
        }
      }
    } finally {
      g.dispose();
    }
    createParent(png);
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer in this Java runtime");
    }
  }

  /** Writes {@code text} to {@code file} in UTF-8, creating its directory. */
  public static void write(Path file, String text) throws IOException {
    createParent(file);
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }
}
