package io.watchtower.client;

/**
 * The server answered {@code 400} (a field breaks the API's grammar) or {@code 422} (it breaks
 * a rule that relates it to another field or to the clock, such as {@code from} after {@code to}):
 * it rejected a field of the request.
 *
 * <p>The server's message starts with the field it rejected, e.g. {@code "nextIn: must be a
 * positive number of seconds"}; {@link #getField()} gives {@code "nextIn"} and
 * {@link #getProblem()} the rest.
 */
public class InvalidRequestException extends WatchtowerException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    /**
     * @param message the exception's message
     * @param serverMessage the server's {@code error} text, {@code "field: problem"}, or {@code null}
     */
    public InvalidRequestException(String message, String serverMessage) {
        this(message, 400, serverMessage);
    }

    /**
     * @param message the exception's message
     * @param status {@code 400} or {@code 422}
     * @param serverMessage the server's {@code error} text, {@code "field: problem"}, or {@code null}
     */
    public InvalidRequestException(String message, int status, String serverMessage) {
        super(message, status, serverMessage, null);
        int colon = serverMessage == null ? -1 : serverMessage.indexOf(": ");
        this.field = colon < 0 ? null : serverMessage.substring(0, colon);
        this.problem = colon < 0 ? serverMessage : serverMessage.substring(colon + 2);
    }

    /**
     * The field the server rejected: a request field ({@code "nextIn"}, {@code "service"}), a
     * query parameter ({@code "limit"}, {@code "cursor"}), or {@code "body"} / {@code "query"}
     * for the request as a whole; {@code null} if the message names none.
     */
    public String getField() {
        return field;
    }

    /** What is wrong with the field, the server's message without the field's name. */
    public String getProblem() {
        return problem;
    }
}
