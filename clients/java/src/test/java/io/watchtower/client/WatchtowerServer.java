package io.watchtower.client;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real watchtower server, started from the binary named by {@code WATCHTOWER_BIN} (default:
 * {@code target/debug/watchtower} in the repository holding the working directory) with a fresh
 * data directory, and stopped with SIGTERM by {@link #close()}.
 */
final class WatchtowerServer implements AutoCloseable {
    static final String PASSWORD = "a-test-password-of-some-length";
    private static final String READY = "watchtower listening on ";
    private static final String EOF = "\u0000eof";

    private final Process process;
    private final Path dir;
    private final String url;
    private final Path certificate;

    private WatchtowerServer(Process process, Path dir, String url, Path certificate) {
        this.process = process;
        this.dir = dir;
        this.url = url;
        this.certificate = certificate;
    }

    /** Starts a plain HTTP server. */
    static WatchtowerServer startHttp() throws Exception {
        return start(false, Collections.<String, Object>emptyMap());
    }

    /**
     * Starts a plain HTTP server whose configuration has {@code extraConfig} besides the usual
     * keys, at its top level (e.g. {@code "webhooks"} and {@code "routes"}; given webhooks replace
     * the default {@code ops}).
     */
    static WatchtowerServer startHttp(Map<String, Object> extraConfig) throws Exception {
        return start(false, extraConfig);
    }

    /** Starts an HTTPS server with a self-signed certificate made by openssl for this run. */
    static WatchtowerServer startHttps() throws Exception {
        return start(true, Collections.<String, Object>emptyMap());
    }

    private static WatchtowerServer start(boolean tls, Map<String, Object> extraConfig) throws Exception {
        Path binary = binary();
        Path dir = Files.createTempDirectory("watchtower-java-test-");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("listen", "127.0.0.1:0");
        config.put("dataDir", dir.resolve("data").toString());
        config.put("password", PASSWORD);
        config.put("webhooks", Collections.singletonMap("ops", Collections.singletonMap("url", "http://127.0.0.1:9/hook")));
        Path certificate = null;
        if (tls) {
            certificate = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            selfSignedCertificate(certificate, key, dir);
            Map<String, Object> ssl = new LinkedHashMap<>();
            ssl.put("enabled", true);
            ssl.put("cert", certificate.toString());
            ssl.put("key", key.toString());
            config.put("ssl", ssl);
        }
        config.putAll(extraConfig);
        Path configFile = dir.resolve("config.json");
        Files.write(configFile, Json.write(config).getBytes(StandardCharsets.UTF_8));

        Path log = dir.resolve("server.log");
        Process process = new ProcessBuilder(binary.toString(), "serve", "--config", configFile.toString())
                .redirectError(log.toFile())
                .start();
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(new Runnable() {
            @Override
            public void run() {
                // Reads stdout to its end, so that the server never blocks on a full pipe.
                try {
                    String line;
                    while ((line = stdout.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the server stopped
                }
                lines.add(EOF);
            }
        }, "watchtower-server-stdout");
        reader.setDaemon(true);
        reader.start();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(EOF)) {
                process.destroyForcibly();
                throw new IllegalStateException((line == null ? "watchtower did not start within 30 s"
                        : "watchtower exited with " + process.waitFor()) + "; its log:\n" + tail(log));
            }
            if (line.startsWith(READY)) {
                WatchtowerServer server = new WatchtowerServer(process, dir, line.substring(READY.length()).trim(), certificate);
                return server;
            }
        }
    }

    /** The binary: $WATCHTOWER_BIN, or target/debug/watchtower in an enclosing directory. */
    static Path binary() {
        String env = System.getenv("WATCHTOWER_BIN");
        if (env != null && !env.isEmpty()) {
            Path path = Paths.get(env);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException("WATCHTOWER_BIN=" + env + " is not an executable file");
            }
            return path;
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("target/debug/watchtower");
            if (Files.isExecutable(candidate) && Files.exists(dir.resolve("Cargo.toml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no watchtower binary: build it with `cargo build -p watchtower`"
                + " in the repository, or set WATCHTOWER_BIN");
    }

    private static void selfSignedCertificate(Path certificate, Path key, Path dir) throws Exception {
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", certificate.toString());
    }

    /** Makes another self-signed certificate (not the server's) in {@code dir}, for negative tests. */
    static Path otherCertificate(Path dir) throws Exception {
        Path certificate = dir.resolve("other-cert.pem");
        selfSignedCertificate(certificate, dir.resolve("other-key.pem"), dir);
        return certificate;
    }

    private static void run(Path dir, String... command) throws Exception {
        Path output = dir.resolve("command.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(Arrays.toString(command) + " did not finish within 60 s");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(Arrays.toString(command) + " failed: " + tail(output));
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** The URL the server printed: http://127.0.0.1:PORT or https://… */
    String url() {
        return url;
    }

    /** The server's certificate (HTTPS servers only). */
    Path certificate() {
        return certificate;
    }

    /** A scratch directory, removed with the server. */
    Path dir() {
        return dir;
    }

    /** A client of this server with the right password. */
    WatchtowerClient client() {
        return builder().build();
    }

    /** A builder for a client of this server, with the right password. */
    WatchtowerClient.Builder builder() {
        WatchtowerClient.Builder builder = WatchtowerClient.builder().url(url).password(PASSWORD);
        if (certificate != null) {
            builder.trustCertificate(certificate);
        }
        return builder;
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its directory. */
    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.forEach(paths::add);
        }
        paths.sort(Comparator.reverseOrder());
        for (Path path : paths) {
            File file = path.toFile();
            if (!file.delete() && file.exists()) {
                System.err.println("could not delete " + path);
            }
        }
    }
}
