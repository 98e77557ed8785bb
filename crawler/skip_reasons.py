"""The reasons a page is not stored (see :mod:`crawler.skips`), without Scrapy.

Analysis workers return some of them and import nothing of Scrapy.
"""

TOO_LARGE = "too large"
NOT_HTML = "not an HTML page"
UNDECODABLE = "undecodable"
NO_ARTICLE = "no article found"
ROBOTS = "disallowed by robots.txt"
ROBOTS_UNREACHABLE = "robots.txt unreachable"
TOO_MANY_REDIRECTS = "too many redirects"
REDIRECT_LOOP = "redirect loop"
OFFSITE_REDIRECT = "redirected off-site"
IGNORED = "ignored"
