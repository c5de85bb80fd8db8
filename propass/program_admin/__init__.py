"""Program administration: the program's settings, tiers, prices, VAT rates and legal texts
are data an operator edits (PRODUCT.md §7, §9, §12). `validation` says whether that data
makes a program that works; `services` apply an edit only when it adds no problem, under one
lock, audited with before and after."""
