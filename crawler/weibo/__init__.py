"""Reading the Weibo mobile API (m.weibo.cn): answers, posts, their text and their times.

Pure functions over decoded JSON and strings; the spider in ``crawler/spiders/weibo.py``
does the fetching.
"""
