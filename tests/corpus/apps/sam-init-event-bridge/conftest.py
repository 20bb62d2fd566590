import sys, os

here = os.path.abspath("hello_world_function")
sys.path.insert(0, here)