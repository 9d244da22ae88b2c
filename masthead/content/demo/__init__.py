"""The demo paper: an English and a Persian edition of "Iran Times", built by `load_demo`.

Shape: `editions` defines what an edition's texts look like; `texts_en` and `texts_fa`
hold the words; `writer` turns them into article drafts with a seeded random generator
(pure, no database); `images` draws the pictures with Pillow; `builder` writes it all.
Boundaries: every word here was written for the demo; nothing is copied from fixtures.
"""
