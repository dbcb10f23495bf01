package io.atoll.web.problem;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import tools.jackson.databind.json.JsonMapper;

/**
 * The servlet container's error page ({@code /error}, where Tomcat forwards a {@code sendError}:
 * Spring Security's firewall refusals, a TRACE, anything that escaped MVC) as problem+json for
 * every method and every {@code Accept}, in place of Boot's JSON or HTML. The detail is generic:
 * a refused request is not echoed back. Requested directly, {@code /error} is a 404.
 */
@Controller
class ProblemErrorController implements ErrorController {

    private final JsonMapper json;
    private final String serverFailure;

    /** @param service the service whose log an operator should read after a 5xx, as named there */
    ProblemErrorController(JsonMapper json, String service) {
        this.json = json;
        this.serverFailure = "internal error; see the " + service + " log";
    }

    @RequestMapping("${server.error.path:/error}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer value ? HttpStatus.resolve(value) : HttpStatus.NOT_FOUND;
        if (status == null || !status.isError()) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, status.is4xxClientError()
                ? "the request was refused: " + status.getReasonPhrase().toLowerCase()
                : serverFailure);
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(json.writeValueAsBytes(problem));
    }
}
