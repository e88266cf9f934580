"""The board paper's writers: the paper (`bot.plan.paper.document`) as DOCX (python-docx), PDF
(fpdf2) and one self-contained HTML file, and its progress chart as a PNG (matplotlib, Agg).
`formats` makes a plan's paper from the database and writes it; the command line and the
summary poster call it. The domain (bot/plan) holds the paper's content; this holds its markup."""
