"""Errors as friendly Chinese pages (or ``{"error": ...}`` under ``/api/``), never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from hotwatch.web.context import mark_store_failed
from hotwatch.web.params import ParamError
from index import DocumentNotFound, IncidentNotFound, InvalidQuery, StoreUnavailable
from index.handling_records import InvalidChange

logger = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: "请求有误",
    401: "需要登录",
    403: "没有权限",
    404: "找不到这个页面",
    405: "不支持这种请求方式",
    500: "服务器内部错误，请稍后再试",
    503: "数据存储暂时不可用",
}


def error_response(status: int, message: str) -> tuple[Response | str, int]:
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": status}), status
    title = HTTP_MESSAGES.get(status, "出错了")
    return render_template("error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(ParamError)
    def _param(error: ParamError) -> tuple[Response | str, int]:
        return error_response(400, str(error))

    @app.errorhandler(InvalidQuery)
    def _query(error: InvalidQuery) -> tuple[Response | str, int]:
        detail = str(error).removeprefix("invalid query: ")
        return error_response(400, f"查询无法执行：{detail}")

    @app.errorhandler(InvalidChange)
    def _change(error: InvalidChange) -> tuple[Response | str, int]:
        if request.path.startswith("/api/"):
            return error_response(400, str(error))
        return error_response(400, f"处置信息有误，未作任何修改：{error}")

    @app.errorhandler(DocumentNotFound)
    def _document(error: DocumentNotFound) -> tuple[Response | str, int]:
        return error_response(404, "没有这篇文档（可能已被删除，或链接有误）")

    @app.errorhandler(IncidentNotFound)
    def _incident(error: IncidentNotFound) -> tuple[Response | str, int]:
        return error_response(404, "没有这个事件（事件归并后编号可能已变化，请从事件列表重新进入）")

    @app.errorhandler(StoreUnavailable)
    def _store(error: StoreUnavailable) -> tuple[Response | str, int]:
        mark_store_failed()
        logger.error("store unavailable: %s", error)
        return error_response(503, "数据存储暂时不可用，请检查索引服务后刷新")

    @app.errorhandler(SecurityError)
    def _untrusted_host(error: SecurityError) -> tuple[Response | str, int]:
        # No URL can be built for an untrusted Host, so no page either: plain text.
        logger.warning("refused request for untrusted host %r", request.headers.get("Host"))
        return Response("400 不受信任的主机名（Host）\n", mimetype="text/plain"), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response | str, int]:
        status = error.code or 500
        message = HTTP_MESSAGES.get(status, "出错了")
        if status in (400, 403, 429) and _chinese(error.description or ""):
            message = str(error.description)  # our own abort(400, description=...)
        return error_response(status, message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response | str, int]:
        mark_store_failed()
        logger.exception("unexpected error on %s", request.path)
        return error_response(500, HTTP_MESSAGES[500])


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
