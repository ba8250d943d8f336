"""publish: what a build is for, publication or preview (`purpose`), its manifest (`manifest`),
and writing it into place at once (`publishing`, over `atomic`'s file operations).
"""
