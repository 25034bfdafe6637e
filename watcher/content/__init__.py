"""Content: what an entry or a page says (pure, no I/O).

- ``relevance``: is an entry about US-Japan-South Korea cooperation? (:func:`relevance.relevance`)
- ``page``: a news page's main text, title, canonical URL and date (:func:`page.extract_article`)
- ``text``: text and URL helpers (canonical URL, content hash, simhash, HTML to text)
- ``language``: an article's language (:func:`language.article_language`)
"""
