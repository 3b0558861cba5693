package io.watchtower.client;

/**
 * The server answered {@code 400}: it rejected a field of the request.
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
        super(message, 400, serverMessage, null);
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
