Console.WriteLine("benchmarks: not yet implemented");
return 1;
