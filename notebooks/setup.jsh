// What every notebook starts with, loaded by its first cell (`%load setup.jsh`, which IJava,
// JJava and the kit's own kernel all understand): the notebook helpers and the kit's packages.
import static org.mecam.notebook.Notebook.*;
import org.mecam.config.*;
import org.mecam.data.*;
import org.mecam.data.batch.*;
import org.mecam.data.io.*;
import org.mecam.data.synthetic.*;
import org.mecam.eval.*;
import org.mecam.experiment.*;
import org.mecam.experiment.grid.*;
import org.mecam.experiment.protocol.*;
import org.mecam.experiment.run.*;
import org.mecam.model.*;
import org.mecam.objective.*;
import org.mecam.report.*;
// Under IJava: show charts as PNG and tables as HTML, as the kit's kernel does (no-op elsewhere).
org.mecam.notebook.IJavaDisplay.registerIfPresent();
