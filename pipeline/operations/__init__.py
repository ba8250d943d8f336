"""The operations around the spine: the coordinator's status (`status`), the reviewer's look
(`review`), the publication hub (`hub`), departments' feedback (`feedback`), a large build's
progress (`progress`) and the watch on submissions/ (`watch`).
"""
