import Carbonara
import StratusCore
import StratusIndex
import StratusStorage
print("stratus-bench")
