package io.watchtower.client;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the tests with the JDK alone: every public method annotated {@link Test} of the classes
 * below, each on a fresh instance, with a bound of 60 s per test. Prints one line per test and
 * a summary, and exits with 1 if any failed.
 *
 * <p>Usage: {@code java -cp … io.watchtower.client.TestRunner [substring-of-test-name …]}
 */
public final class TestRunner {
    private static final Class<?>[] CLASSES = {
        JsonTest.class, UnitTest.class, StubServerTest.class, ServicesTest.class, ServiceListTest.class,
        ScheduleTest.class,
        EventsTest.class, EventAttributesTest.class,
        HeartbeatTest.class, HttpsTest.class, KeysTest.class, PauseTest.class, DeclareTest.class,
        AlertTest.class,
        AlertHistoryTest.class,
        RunsTest.class,
        ChannelsTest.class, ExplainScheduleTest.class, UptimeTest.class,
    };

    private TestRunner() {}

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(Fixtures::stopAll));
        ExecutorService executor = Executors.newCachedThreadPool(new ThreadFactory() {
            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, "test");
                thread.setDaemon(true);
                return thread;
            }
        });
        long start = System.nanoTime();
        int passed = 0;
        List<String> failed = new ArrayList<>();
        try {
            for (Class<?> type : CLASSES) {
                Method[] methods = type.getDeclaredMethods();
                Arrays.sort(methods, Comparator.comparing(Method::getName));
                for (final Method method : methods) {
                    if (!method.isAnnotationPresent(Test.class)) {
                        continue;
                    }
                    String name = type.getSimpleName() + "." + method.getName();
                    if (args.length > 0 && Arrays.stream(args).noneMatch(name::contains)) {
                        continue;
                    }
                    final Object instance = type.getDeclaredConstructor().newInstance();
                    long testStart = System.nanoTime();
                    Future<?> result = executor.submit(() -> {
                        method.invoke(instance);
                        return null;
                    });
                    Throwable failure = null;
                    try {
                        result.get(60, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        failure = e.getCause() instanceof InvocationTargetException ? e.getCause().getCause() : e.getCause();
                    } catch (TimeoutException e) {
                        result.cancel(true);
                        failure = new AssertionError("did not finish within 60 s");
                    }
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - testStart);
                    if (failure == null) {
                        passed++;
                        System.out.printf("PASS %s (%d ms)%n", name, millis);
                    } else {
                        failed.add(name);
                        StringWriter trace = new StringWriter();
                        failure.printStackTrace(new PrintWriter(trace));
                        System.out.printf("FAIL %s (%d ms)%n%s%n", name, millis, trace.toString().trim());
                    }
                }
            }
        } finally {
            Fixtures.stopAll();
        }
        long seconds = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println();
        if (!failed.isEmpty()) {
            System.out.println("Failed: " + String.join(", ", failed));
        }
        System.out.printf("Ran %d tests in %.1f s%n", passed + failed.size(), seconds / 1000.0);
        System.out.printf("Tests: %d passed, %d failed%n", passed, failed.size());
        System.exit(failed.isEmpty() && passed > 0 ? 0 : 1);
    }
}
